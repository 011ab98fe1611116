using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>Improved precision and recall of a generative model.</summary>
/// <param name="Precision">Fraction of generated samples inside the real manifold (sample quality).</param>
/// <param name="Recall">Fraction of real samples inside the generated manifold (coverage).</param>
/// <param name="K">Neighbour index that set each manifold ball's radius.</param>
public sealed record PrecisionRecallResult(double Precision, double Recall, int K);

/// <summary>
/// k-NN manifold precision and recall (Kynkäänniemi et al., 2019) on feature vectors. Each set's
/// manifold is the union of balls around its points whose radius is the distance to the point's
/// k-th nearest neighbour within the set (the point itself excluded). Precision is the fraction of
/// generated points inside the real manifold; recall the fraction of real points inside the
/// generated one. Distances come from <see cref="torch.cdist"/> over row chunks, so memory stays
/// bounded for sets of 50 000 points.
/// </summary>
public static class PrecisionRecall
{
    // Query rows per chunk are chosen so a chunk's distance matrix holds about this many values.
    private const long DistancesPerChunk = 1L << 24;

    /// <summary>Precision and recall of <paramref name="generated"/> [m, k] against <paramref name="real"/> [n, k].</summary>
    /// <param name="real">Real features (any device; float32 or float64).</param>
    /// <param name="generated">Generated features.</param>
    /// <param name="k">Neighbour that sets the radius (default 5, as the paper and the prior-learning code).</param>
    /// <exception cref="ArgumentException">Shapes disagree, or a set has k points or fewer.</exception>
    public static PrecisionRecallResult Compute(Tensor real, Tensor generated, int k = 5)
    {
        Validate(real, nameof(real), k);
        Validate(generated, nameof(generated), k);
        if (real.size(1) != generated.size(1))
            throw new ArgumentException($"Feature widths differ: real {real.size(1)}, generated {generated.size(1)}.", nameof(generated));

        using var scope = torch.NewDisposeScope();
        var r = real.to(ScalarType.Float32);
        var g = generated.to(ScalarType.Float32, r.device);
        var realRadii = KthNeighbourDistances(r, k);
        var generatedRadii = KthNeighbourDistances(g, k);
        double precision = FractionInside(g, r, realRadii);
        double recall = FractionInside(r, g, generatedRadii);
        return new PrecisionRecallResult(precision, recall, k);
    }

    /// <summary>Distance from every row of <paramref name="points"/> to its k-th nearest other row: [n].</summary>
    public static Tensor KthNeighbourDistances(Tensor points, int k)
    {
        Validate(points, nameof(points), k);
        long n = points.size(0);
        long rows = ChunkRows(n);
        var parts = new List<Tensor>();
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        for (long start = 0; start < n; start += rows)
        {
            using var inner = torch.NewDisposeScope();
            var query = points.narrow(0, start, Math.Min(rows, n - start));
            var distances = torch.cdist(query, points);
            // k + 1 smallest: the first is the point itself (distance 0).
            var (values, _) = distances.topk(k + 1, dim: 1, largest: false, sorted: true);
            parts.Add(values.select(1, k).MoveToOuterDisposeScope());
        }
        return torch.cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Fraction of <paramref name="queries"/> within radius[i] of some reference row i.</summary>
    private static double FractionInside(Tensor queries, Tensor references, Tensor radii)
    {
        long n = queries.size(0);
        long rows = ChunkRows(references.size(0));
        long inside = 0;
        using var noGrad = torch.no_grad();
        var radiusRow = radii.unsqueeze(0);
        for (long start = 0; start < n; start += rows)
        {
            using var inner = torch.NewDisposeScope();
            var query = queries.narrow(0, start, Math.Min(rows, n - start));
            var ballsContaining = torch.cdist(query, references).le(radiusRow).sum(1);
            inside += ballsContaining.gt(0).sum().item<long>();
        }
        return (double)inside / n;
    }

    private static long ChunkRows(long referenceCount) => Math.Max(1, DistancesPerChunk / Math.Max(1, referenceCount));

    private static void Validate(Tensor features, string paramName, int k)
    {
        ArgumentNullException.ThrowIfNull(features, paramName);
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), $"k must be at least 1, got {k}.");
        if (features.dim() != 2 || features.size(1) == 0)
            throw new ArgumentException($"The {paramName} features must be a 2-D [n, k] tensor, not {features}.", paramName);
        if (features.size(0) <= k)
            throw new ArgumentException($"The {paramName} set has {features.size(0)} points; the k = {k} neighbour radius needs more than {k}.", paramName);
    }
}
