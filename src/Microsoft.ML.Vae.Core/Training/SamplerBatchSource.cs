using System.Text.Json;

namespace Microsoft.ML.Vae.Core.Training;

using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Torch;

/// <summary>
/// Endless batches drawn fresh from an <see cref="IDataSampler"/> (the 2-D toys). The randomness is
/// libtorch's default generator, which the trainer seeds and checkpoints, so the source itself only
/// records which sampler and batch size it uses.
/// </summary>
public sealed class SamplerBatchSource : IBatchSource
{
    private readonly IDataSampler _sampler;
    private readonly int _batchSize;
    private readonly Device _device;

    /// <summary>Creates the source.</summary>
    /// <param name="sampler">The distribution.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="device">Where batches are delivered (default the CPU).</param>
    public SamplerBatchSource(IDataSampler sampler, int batchSize, Device device = default)
    {
        _sampler = sampler ?? throw new ArgumentNullException(nameof(sampler));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be positive.");
        _batchSize = batchSize;
        _device = device.Type == DeviceType.Cpu ? Device.Cpu : device.EnsureAvailable();
    }

    /// <inheritdoc />
    public Tensor Next()
    {
        var x = _sampler.Sample(_batchSize);
        if (x.DType == DType.Float32 && x.Device == _device) return x;
        using (x) return x.To(DType.Float32, _device);
    }

    /// <inheritdoc />
    public string SaveState() => JsonSerializer.Serialize(new State(_sampler.Name, _batchSize));

    /// <inheritdoc />
    public void RestoreState(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        State s;
        try { s = JsonSerializer.Deserialize<State>(state) ?? throw new InvalidDataException("The data source state is null."); }
        catch (JsonException ex) { throw new InvalidDataException($"The data source state is not valid: {ex.Message}", ex); }
        if (s.Sampler != _sampler.Name || s.BatchSize != _batchSize)
            throw new InvalidDataException(
                $"The data source state was saved for '{s.Sampler}' in batches of {s.BatchSize}; this source draws '{_sampler.Name}' in batches of {_batchSize}.");
    }

    private sealed record State(string Sampler, int BatchSize);
}
