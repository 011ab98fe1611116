using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Data;

/// <summary>
/// Cuts a <see cref="TensorDataset"/> into mini-batches, shuffled per epoch with its own seeded
/// permutation. Each batch is gathered with one <c>index_select</c> per tensor and, for a CUDA
/// device, uploaded from pinned memory without blocking. The caller (or its dispose scope) owns
/// the returned tensors; the batcher does not own the data set.
/// </summary>
/// <remarks>
/// An epoch ends when its last batch has been handed out; <see cref="Next"/> and
/// <see cref="EnumerateEpoch"/> then start the next epoch. <see cref="State"/> and
/// <see cref="Restore"/> make resuming exact.
/// </remarks>
public sealed class Batcher : IDisposable
{
    private readonly BatcherOptions _options;
    private Tensor? _order;
    private long _orderEpoch = -1;

    /// <summary>Creates a batcher over <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The batch size is not positive, or DropLast leaves no batch.</exception>
    public Batcher(TensorDataset data, BatcherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        _options = (options ?? new BatcherOptions()).Clone();
        if (_options.BatchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), _options.BatchSize, "The batch size must be positive.");
        if (_options.DropLast && _options.BatchSize > data.Count)
            throw new ArgumentException(
                $"With DropLast, batch size {_options.BatchSize} exceeds the {data.Count} samples: no batch would ever be produced.", nameof(options));
        _options.Device ??= torch.CPU;
        if (_options.Device.type != DeviceType.CPU) Devices.EnsureAvailable(_options.Device);
        Data = data;
        SamplesPerEpoch = _options.DropLast ? data.Count / _options.BatchSize * _options.BatchSize : data.Count;
    }

    /// <summary>Creates a batcher with the given batch size, shuffling and seed on the CPU.</summary>
    public Batcher(TensorDataset data, int batchSize, bool shuffle = true, bool dropLast = false, long seed = 0)
        : this(data, new BatcherOptions { BatchSize = batchSize, Shuffle = shuffle, DropLast = dropLast, Seed = seed })
    {
    }

    /// <summary>The data set (not owned).</summary>
    public TensorDataset Data { get; }

    /// <summary>Samples per batch.</summary>
    public int BatchSize => _options.BatchSize;

    /// <summary>Samples handed out per epoch (N, or N rounded down to whole batches with DropLast).</summary>
    public long SamplesPerEpoch { get; }

    /// <summary>Batches per epoch.</summary>
    public long BatchesPerEpoch => (SamplesPerEpoch + BatchSize - 1) / BatchSize;

    /// <summary>The current epoch, 0-based.</summary>
    public long Epoch { get; private set; }

    /// <summary>Samples of the current epoch already handed out.</summary>
    public long Position { get; private set; }

    /// <summary>True when the current epoch has no batch left.</summary>
    public bool EpochFinished => Position >= SamplesPerEpoch;

    /// <summary>The resumable position: epoch and samples handed out.</summary>
    public BatcherState State => new(Epoch, Position);

    /// <summary>Continues from a saved <see cref="State"/>: the following batches equal those that followed it.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The state does not fit this data set and batch size.</exception>
    public void Restore(BatcherState state)
    {
        if (state.Epoch < 0)
            throw new ArgumentOutOfRangeException(nameof(state), state.Epoch, "The epoch must be 0 or more.");
        if (state.Position < 0 || state.Position > SamplesPerEpoch || (state.Position % BatchSize != 0 && state.Position != SamplesPerEpoch))
            throw new ArgumentOutOfRangeException(nameof(state), state.Position,
                $"Position {state.Position} is not a batch boundary of an epoch of {SamplesPerEpoch} samples in batches of {BatchSize}; was the state saved with another data set or batch size?");
        Epoch = state.Epoch;
        Position = state.Position;
    }

    /// <summary>Moves to the start of the next epoch, skipping whatever is left of the current one.</summary>
    public void StartNextEpoch()
    {
        Epoch++;
        Position = 0;
    }

    /// <summary>
    /// The next batch of the current epoch, or false when the epoch is finished (the epoch is not
    /// advanced; call <see cref="StartNextEpoch"/>).
    /// </summary>
    public bool TryNext(out Tensor x, out Tensor? y)
    {
        if (EpochFinished)
        {
            x = null!;
            y = null;
            return false;
        }
        (x, y) = Take();
        return true;
    }

    /// <summary>The next batch, starting a new epoch when the current one is finished (an endless stream).</summary>
    public (Tensor X, Tensor? Y) Next()
    {
        if (EpochFinished) StartNextEpoch();
        return Take();
    }

    /// <summary>
    /// The remaining batches of the current epoch (all of them on a fresh epoch). When called
    /// with the current epoch already finished, the next epoch is started first, so
    /// <c>for (...) foreach (var b in batcher.EnumerateEpoch())</c> walks epoch after epoch.
    /// </summary>
    public IEnumerable<(Tensor X, Tensor? Y)> EnumerateEpoch()
    {
        if (EpochFinished) StartNextEpoch();
        while (!EpochFinished) yield return Take();
    }

    /// <summary>The sample order of <paramref name="epoch"/>: a permutation of 0 … N−1 (the identity without shuffling).</summary>
    public long[] OrderOf(long epoch)
    {
        if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "The epoch must be 0 or more.");
        var order = new long[Data.Count];
        for (long i = 0; i < order.Length; i++) order[i] = i;
        if (!_options.Shuffle) return order;
        // Fisher–Yates with a generator seeded from (seed, epoch); Random(int) is stable across runtimes.
        var rng = new Random(EpochSeed(_options.Seed, epoch));
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>Releases the cached permutation (not the data set).</summary>
    public void Dispose()
    {
        _order?.Dispose();
        _order = null;
        _orderEpoch = -1;
    }

    private (Tensor X, Tensor? Y) Take()
    {
        long count = Math.Min(BatchSize, SamplesPerEpoch - Position);
        var order = OrderTensor();
        Tensor x;
        Tensor? y;
        using (var scope = torch.NewDisposeScope())
        {
            var indices = order.narrow(0, Position, count);
            x = ToDevice(Data.Features.index_select(0, indices)).MoveToOuterDisposeScope();
            y = Data.Labels is null ? null : ToDevice(Data.Labels.index_select(0, indices)).MoveToOuterDisposeScope();
        }
        Position += count;
        return (x, y);
    }

    private Tensor ToDevice(Tensor t)
    {
        var device = _options.Device;
        if (device.type == DeviceType.CPU) return t;
        var host = _options.PinMemory ? t.pin_memory() : t;
        return host.to(device, non_blocking: _options.PinMemory);
    }

    private Tensor OrderTensor()
    {
        // Without shuffling every epoch has the same order, so the first one is kept.
        if (_order is not null && (_orderEpoch == Epoch || !_options.Shuffle)) return _order;
        _order?.Dispose();
        _order = torch.tensor(OrderOf(Epoch)).DetachFromDisposeScope();
        _orderEpoch = Epoch;
        return _order;
    }

    private static int EpochSeed(long seed, long epoch)
    {
        // SplitMix64 finalizer: nearby (seed, epoch) pairs get unrelated generator seeds.
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch + 0x632BE59BD9B4E019UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
