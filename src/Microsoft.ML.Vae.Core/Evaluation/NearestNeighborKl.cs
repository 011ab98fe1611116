using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// The 1-nearest-neighbour estimator of KL(P‖Q) from samples (Pérez-Cruz 2008):
/// D̂(P‖Q) = (d/n) Σᵢ log(sᵢ / rᵢ) + log(m / (n − 1)), where rᵢ is the Euclidean distance from
/// the P sample xᵢ to its nearest other P sample and sᵢ the distance to its nearest Q sample.
/// </summary>
/// <remarks>
/// Neighbours are found exactly, by brute force over <see cref="torch.cdist"/> blocks in float64,
/// and the chosen neighbour's distance is then recomputed from the coordinate differences, so
/// close pairs do not lose digits to the matrix-product form of the distance. (The dpVAE code
/// used a k-d tree with approximate search, eps = 0.01, which may return a neighbour up to 1 %
/// farther than the nearest.) Zero distances — exact duplicates, which a continuous density never
/// produces — would make a term infinite; every distance is therefore raised to at least
/// <c>minimumDistance</c> before the logarithm.
/// </remarks>
public static class NearestNeighborKl
{
    /// <summary>Default floor applied to nearest-neighbour distances (1e-10).</summary>
    public const double DefaultMinimumDistance = 1e-10;

    /// <summary>Default bound on the distance values computed at once (4 Mi doubles = 32 MiB).</summary>
    public const long DefaultMaxChunkElements = 1L << 22;

    /// <summary>Estimates KL(P‖Q) in nats from samples of P and Q.</summary>
    /// <param name="p">Samples of P, [n, d] with n ≥ 2.</param>
    /// <param name="q">Samples of Q, [m, d] with m ≥ 1 (moved to <paramref name="p"/>'s device).</param>
    /// <param name="minimumDistance">Floor on every nearest-neighbour distance (guards duplicates); positive.</param>
    /// <param name="maxChunkElements">Bound on distance values held at once.</param>
    public static double Estimate(Tensor p, Tensor q, double minimumDistance = DefaultMinimumDistance, long maxChunkElements = DefaultMaxChunkElements)
    {
        ArgumentNullException.ThrowIfNull(p);
        ArgumentNullException.ThrowIfNull(q);
        if (p.dim() != 2 || q.dim() != 2)
            throw new ArgumentException($"Samples must be [n, d] matrices; got P [{string.Join(", ", p.shape)}] and Q [{string.Join(", ", q.shape)}].", nameof(p));
        long n = p.size(0), m = q.size(0), d = p.size(1);
        if (q.size(1) != d)
            throw new ArgumentException($"P has {d} dimensions but Q has {q.size(1)}.", nameof(q));
        if (d == 0) throw new ArgumentException("Samples need at least one dimension.", nameof(p));
        if (n < 2) throw new ArgumentException($"P needs at least 2 samples (a nearest other P sample), got {n}.", nameof(p));
        if (m < 1) throw new ArgumentException("Q needs at least 1 sample.", nameof(q));
        if (!(minimumDistance > 0) || double.IsInfinity(minimumDistance))
            throw new ArgumentOutOfRangeException(nameof(minimumDistance), minimumDistance, "The distance floor must be positive and finite.");
        EvaluationData.RequirePositive(maxChunkElements, nameof(maxChunkElements));

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var p64 = p.to(ScalarType.Float64);
        var q64 = q.to(ScalarType.Float64, p.device);
        var r = NearestDistances(p64, p64, excludeSelf: true, maxChunkElements).clamp_min(minimumDistance);
        var s = NearestDistances(p64, q64, excludeSelf: false, maxChunkElements).clamp_min(minimumDistance);
        double sumLogRatio = (s.log() - r.log()).sum().ToDouble();
        return d / (double)n * sumLogRatio + Math.Log(m / (double)(n - 1));
    }

    /// <summary>
    /// Distance from every query row to its nearest reference row ([n], float64); with
    /// <paramref name="excludeSelf"/> the reference is the query set itself and row i skips itself.
    /// </summary>
    internal static Tensor NearestDistances(Tensor queries, Tensor reference, bool excludeSelf, long maxChunkElements)
    {
        long n = queries.size(0), m = reference.size(0);
        long rows = Math.Max(1, maxChunkElements / m);
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < n; start += rows)
            {
                using var scope = torch.NewDisposeScope();
                long len = Math.Min(rows, n - start);
                var chunk = queries.narrow(0, start, len);
                var distances = torch.cdist(chunk, reference);
                // Row i of the chunk is reference row start + i: its self-distance lies on the
                // diagonal at offset start, a view that is overwritten in place.
                if (excludeSelf) distances.diagonal(start, 0, 1).fill_(double.PositiveInfinity);
                var nearest = reference.index_select(0, distances.argmin(1));
                parts.Add((chunk - nearest).square().sum(1).sqrt().DetachFromDisposeScope());
            }
            return torch.cat(parts);
        }
        finally
        {
            foreach (var t in parts) t.Dispose();
        }
    }
}
