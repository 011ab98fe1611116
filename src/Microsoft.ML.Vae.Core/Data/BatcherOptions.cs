using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Data;

/// <summary>Options of a <see cref="Batcher"/>.</summary>
public sealed class BatcherOptions
{
    /// <summary>Samples per batch. Default 64.</summary>
    public int BatchSize { get; set; } = 64;

    /// <summary>Visit the samples in a fresh random order every epoch. Default true.</summary>
    public bool Shuffle { get; set; } = true;

    /// <summary>Skip the last, smaller batch of an epoch. Default false.</summary>
    public bool DropLast { get; set; }

    /// <summary>
    /// Seed of the shuffling. The order of epoch e depends only on (Seed, e), not on libtorch's
    /// generator, so it is reproducible and resumable. Default 0.
    /// </summary>
    public long Seed { get; set; }

    /// <summary>Device the batches are moved to. Default the CPU.</summary>
    public Device Device { get; set; } = torch.CPU;

    /// <summary>
    /// For a CUDA <see cref="Device"/>: stage each batch in page-locked host memory and upload it
    /// asynchronously. Ignored on the CPU. Default true.
    /// </summary>
    public bool PinMemory { get; set; } = true;

    /// <summary>A copy of these options.</summary>
    public BatcherOptions Clone() => (BatcherOptions)MemberwiseClone();
}
