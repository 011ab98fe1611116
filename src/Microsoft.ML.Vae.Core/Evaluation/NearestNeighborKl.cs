using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

// "Torch" alone would name the Microsoft.ML.Vae.Torch namespace here.
using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// The 1-nearest-neighbour estimator of KL(P‖Q) from samples (Pérez-Cruz 2008):
/// D̂(P‖Q) = (d/n) Σᵢ log(sᵢ / rᵢ) + log(m / (n − 1)), where rᵢ is the Euclidean distance from
/// the P sample xᵢ to its nearest other P sample and sᵢ the distance to its nearest Q sample.
/// </summary>
/// <remarks>
/// Neighbours are found exactly, by brute force over <see cref="Torch.CDist"/> blocks in float64,
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
        if (p.Dim != 2 || q.Dim != 2)
            throw new ArgumentException($"Samples must be [n, d] matrices; got P [{string.Join(", ", p.Shape)}] and Q [{string.Join(", ", q.Shape)}].", nameof(p));
        long n = p.Size(0), m = q.Size(0), d = p.Size(1);
        if (q.Size(1) != d)
            throw new ArgumentException($"P has {d} dimensions but Q has {q.Size(1)}.", nameof(q));
        if (d == 0) throw new ArgumentException("Samples need at least one dimension.", nameof(p));
        if (n < 2) throw new ArgumentException($"P needs at least 2 samples (a nearest other P sample), got {n}.", nameof(p));
        if (m < 1) throw new ArgumentException("Q needs at least 1 sample.", nameof(q));
        if (!(minimumDistance > 0) || double.IsInfinity(minimumDistance))
            throw new ArgumentOutOfRangeException(nameof(minimumDistance), minimumDistance, "The distance floor must be positive and finite.");
        EvaluationData.RequirePositive(maxChunkElements, nameof(maxChunkElements));

        using var scope = Torch.NewDisposeScope();
        using var noGrad = Torch.NoGrad();
        var p64 = p.To(DType.Float64);
        var q64 = q.To(DType.Float64, p.Device);
        var r = NearestDistances(p64, p64, excludeSelf: true, maxChunkElements).ClampMin(minimumDistance);
        var s = NearestDistances(p64, q64, excludeSelf: false, maxChunkElements).ClampMin(minimumDistance);
        double sumLogRatio = (s.Log() - r.Log()).Sum().Item();
        return d / (double)n * sumLogRatio + Math.Log(m / (double)(n - 1));
    }

    /// <summary>
    /// Distance from every query row to its nearest reference row ([n], float64); with
    /// <paramref name="excludeSelf"/> the reference is the query set itself and row i skips itself.
    /// </summary>
    internal static Tensor NearestDistances(Tensor queries, Tensor reference, bool excludeSelf, long maxChunkElements)
    {
        long n = queries.Size(0), m = reference.Size(0);
        long rows = Math.Max(1, maxChunkElements / m);
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < n; start += rows)
            {
                using var scope = Torch.NewDisposeScope();
                long len = Math.Min(rows, n - start);
                var chunk = queries.Narrow(0, start, len);
                var distances = Torch.CDist(chunk, reference);
                // Row i of the chunk is reference row start + i: its self-distance lies on the
                // diagonal at offset start, a view that is overwritten in place.
                if (excludeSelf) distances.Diagonal(start, 0, 1).Fill_(double.PositiveInfinity);
                var nearest = reference.IndexSelect(0, distances.ArgMin(1));
                parts.Add((chunk - nearest).Square().Sum(1).Sqrt().DetachFromScope());
            }
            return Torch.Cat(parts);
        }
        finally
        {
            foreach (var t in parts) t.Dispose();
        }
    }
}
