using System.Text.Json;
using Microsoft.ML.Vae.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Training;

/// <summary>
/// Endless mini-batches of a <see cref="TensorDataset"/> (epoch after epoch) through a seeded
/// <see cref="Batcher"/>; its state is the batcher's epoch and position, so resuming is exact.
/// Labels are dropped. The data set is not owned; the internal batcher is released by <see cref="Dispose"/>.
/// </summary>
public sealed class DatasetBatchSource : IBatchSource, IDisposable
{
    private readonly Batcher _batcher;
    private readonly long _seed;

    /// <summary>Creates the source.</summary>
    /// <param name="dataset">The samples (float32 [N, ..sampleShape] on the CPU).</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="shuffle">A fresh seeded order every epoch (default true).</param>
    /// <param name="dropLast">Skip each epoch's smaller last batch (default true, so every batch has <paramref name="batchSize"/> rows).</param>
    /// <param name="seed">Seed of the shuffling (default 0); independent of libtorch's generator.</param>
    /// <param name="device">Where batches are delivered (default, or null: the CPU).</param>
    public DatasetBatchSource(TensorDataset dataset, int batchSize, bool shuffle = true, bool dropLast = true, long seed = 0, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        _seed = seed;
        _batcher = new Batcher(dataset, new BatcherOptions
        {
            BatchSize = batchSize,
            Shuffle = shuffle,
            DropLast = dropLast,
            Seed = seed,
            Device = device ?? torch.CPU,
        });
    }

    /// <summary>The batcher's current epoch (0-based).</summary>
    public long Epoch => _batcher.Epoch;

    /// <summary>Batches per epoch.</summary>
    public long BatchesPerEpoch => _batcher.BatchesPerEpoch;

    /// <inheritdoc />
    public Tensor Next()
    {
        var (x, y) = _batcher.Next();
        y?.Dispose();
        if (x.dtype == ScalarType.Float32) return x;
        using (x) return x.to(ScalarType.Float32);
    }

    /// <inheritdoc />
    public string SaveState() => JsonSerializer.Serialize(new State(_batcher.Epoch, _batcher.Position, _batcher.Data.Count, _batcher.BatchSize, _seed));

    /// <inheritdoc />
    public void RestoreState(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        State s;
        try { s = JsonSerializer.Deserialize<State>(state) ?? throw new InvalidDataException("The data source state is null."); }
        catch (JsonException ex) { throw new InvalidDataException($"The data source state is not valid: {ex.Message}", ex); }
        if (s.Count != _batcher.Data.Count || s.BatchSize != _batcher.BatchSize || s.Seed != _seed)
            throw new InvalidDataException(
                $"The data source state was saved for {s.Count} samples in batches of {s.BatchSize} with seed {s.Seed}; " +
                $"this source has {_batcher.Data.Count} samples in batches of {_batcher.BatchSize} with seed {_seed}.");
        try { _batcher.Restore(new BatcherState(s.Epoch, s.Position)); }
        catch (ArgumentException ex) { throw new InvalidDataException($"The data source state is not valid: {ex.Message}", ex); }
    }

    /// <summary>Releases the batcher (not the data set).</summary>
    public void Dispose() => _batcher.Dispose();

    private sealed record State(long Epoch, long Position, long Count, int BatchSize, long Seed);
}
