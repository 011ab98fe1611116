using System.Text.Json;
using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Training;

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
    /// <param name="device">Where batches are delivered (default, or null: the CPU).</param>
    public SamplerBatchSource(IDataSampler sampler, int batchSize, Device? device = null)
    {
        _sampler = sampler ?? throw new ArgumentNullException(nameof(sampler));
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be positive.");
        _batchSize = batchSize;
        if (device is not null && device.type != DeviceType.CPU) Devices.EnsureAvailable(device);
        _device = device ?? torch.CPU;
    }

    /// <inheritdoc />
    public Tensor Next()
    {
        var x = _sampler.Sample(_batchSize);
        if (x.dtype == ScalarType.Float32 && Devices.Same(x.device, _device)) return x;
        using (x) return x.to(ScalarType.Float32, _device);
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
