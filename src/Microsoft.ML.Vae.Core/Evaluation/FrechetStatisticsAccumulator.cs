using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// Accumulates the mean and covariance of feature vectors that arrive in batches, so that FID
/// over tens of thousands of images never holds all features at once. Sums are kept in float64
/// around a shift (the first batch's mean), which avoids the cancellation of the naive
/// Σxxᵀ − nμμᵀ formula when features have a large mean.
/// </summary>
public sealed class FrechetStatisticsAccumulator : IDisposable
{
    // Rows per float64 outer-product block: bounds the temporary copy of a large batch.
    private const long RowsPerBlock = 4096;

    private Tensor? _shift;     // [k]
    private Tensor? _sum;       // Σ (x − shift), [k]
    private Tensor? _outer;     // Σ (x − shift)(x − shift)ᵀ, [k, k]

    /// <summary>Number of feature vectors added so far.</summary>
    public long Count { get; private set; }

    /// <summary>Feature dimension, fixed by the first batch (0 before it).</summary>
    public int Dimension { get; private set; }

    /// <summary>Adds a batch of feature vectors [n, k] (any float dtype and device).</summary>
    /// <exception cref="ArgumentException">The batch is not 2-D, has another width than earlier batches, or holds NaN/infinity.</exception>
    public void Add(Tensor features)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() != 2)
            throw new ArgumentException($"Features must be a 2-D [n, k] tensor, not {EvaluationData.Describe(features)}.", nameof(features));
        var shape = features.shape;
        if (shape[1] == 0)
            throw new ArgumentException("Features have zero columns.", nameof(features));
        if (Dimension != 0 && shape[1] != Dimension)
            throw new ArgumentException($"This batch has {shape[1]} features per row but earlier batches had {Dimension}.", nameof(features));
        if (shape[0] == 0) return;
        if (!features.AllFinite())
            throw new ArgumentException("Features hold NaN or infinity; the extractor or the images are broken.", nameof(features));

        using var scope = torch.NewDisposeScope();
        var x = features.detach().to(ScalarType.Float64, torch.CPU);
        if (_shift is null)
        {
            Dimension = (int)shape[1];
            _shift = x.mean([0]).DetachFromDisposeScope();
            _sum = torch.zeros([Dimension], ScalarType.Float64).DetachFromDisposeScope();
            _outer = torch.zeros([Dimension, Dimension], ScalarType.Float64).DetachFromDisposeScope();
        }
        for (long start = 0; start < shape[0]; start += RowsPerBlock)
        {
            using var inner = torch.NewDisposeScope();
            var block = x.narrow(0, start, Math.Min(RowsPerBlock, shape[0] - start)) - _shift;
            _sum!.add_(block.sum(dim: 0));
            _outer!.add_(torch.mm(block.T, block));
        }
        Count += shape[0];
    }

    /// <summary>The mean and unbiased covariance of everything added (a new object the caller owns).</summary>
    /// <exception cref="InvalidOperationException">Fewer than two vectors were added.</exception>
    public FrechetStatistics ToStatistics()
    {
        if (Count < 2)
            throw new InvalidOperationException($"A covariance needs at least 2 feature vectors, but {Count} were added.");
        using var scope = torch.NewDisposeScope();
        var meanOffset = _sum! / Count;
        var mean = _shift! + meanOffset;
        // Σ(x−c)(x−c)ᵀ − n·d·dᵀ with d = mean − c, divided by n − 1.
        var covariance = (_outer! - torch.outer(meanOffset, meanOffset) * Count) / (Count - 1);
        var symmetric = (covariance + covariance.T) * 0.5;
        return new FrechetStatistics(mean, symmetric, Count);
    }

    /// <summary>Releases the running sums.</summary>
    public void Dispose()
    {
        _shift?.Dispose();
        _sum?.Dispose();
        _outer?.Dispose();
        _shift = _sum = _outer = null;
    }
}
