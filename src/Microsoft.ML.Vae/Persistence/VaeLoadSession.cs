using Microsoft.ML.Vae.Core.Models;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Persistence;

/// <summary>
/// What <see cref="VaeModelFile.Load(MLContext, string)"/> adds to <c>mlContext.Model.Load</c> on this thread:
/// the device the passed context selects, and the embedded models it has already decoded (so they are
/// checked at load time, placed on that device and returned to the caller). Mappings reloaded while a session
/// is open take their model from it; without one (plain <c>mlContext.Model.Load</c>) they decode their embedded
/// model on the CPU at the first row.
/// </summary>
internal sealed class VaeLoadSession : IDisposable
{
    [ThreadStatic] private static VaeLoadSession? _current;

    private VaeLoadSession(Device device, IReadOnlyDictionary<string, LoadedMapping> decoded)
    {
        Device = device;
        Decoded = decoded;
    }

    /// <summary>The session open on this thread, or null.</summary>
    public static VaeLoadSession? Current => _current;

    /// <summary>The device models go to.</summary>
    public Device Device { get; }

    /// <summary>The embedded models of the file, by payload text.</summary>
    public IReadOnlyDictionary<string, LoadedMapping> Decoded { get; }

    /// <summary>Opens the session of this thread.</summary>
    /// <exception cref="InvalidOperationException">A session is already open on this thread.</exception>
    public static VaeLoadSession Begin(Device device, IReadOnlyDictionary<string, LoadedMapping> decoded)
    {
        if (_current is not null) throw new InvalidOperationException("A VAE model is already being loaded on this thread.");
        return _current = new VaeLoadSession(device, decoded);
    }

    /// <summary>The distinct models of <see cref="Decoded"/>.</summary>
    public IReadOnlyList<IVaeModel> Models => Decoded.Values.Select(m => m.Model).Distinct(ReferenceEqualityComparer.Instance).Cast<IVaeModel>().ToList();

    /// <summary>Closes the session; models are kept (their owner is the caller of <see cref="VaeModelFile.Load(MLContext, string)"/>).</summary>
    public void Dispose()
    {
        if (ReferenceEquals(_current, this)) _current = null;
    }
}
