namespace Microsoft.ML.Vae.Core.Evaluation;

using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// 2-D histograms with the semantics of numpy's <c>histogram2d(x, y, bins, range=[[−R, R], [−R, R]], density=True)</c>
/// used by the reference benchmark: float64 edges from numpy's linspace, half-open bins [e_i, e_{i+1})
/// except the last, which includes R; points outside the square are ignored (also in the normalization);
/// densities = count / Σcount / Δx_i / Δy_j. Entry [i, j] counts x in bin i and y in bin j.
/// </summary>
public static class Density2DHistogram
{
    /// <summary>The bin edges numpy's linspace(−R, R, bins + 1) produces: −R + i·(2R/bins), the last set to R exactly.</summary>
    public static double[] Edges(int bins, double range)
    {
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "At least one bin is needed.");
        if (!(range > 0) || !double.IsFinite(range)) throw new ArgumentOutOfRangeException(nameof(range), range, "The range must be positive and finite.");
        double start = -range, step = (range - start) / bins;
        var edges = new double[bins + 1];
        for (int i = 0; i <= bins; i++) edges[i] = i * step + start;
        edges[bins] = range;
        return edges;
    }

    /// <summary>Bin counts [bins, bins] (float64, CPU) of points [N, 2] inside [−R, R]².</summary>
    public static Tensor Counts(Tensor points, int bins, double range)
    {
        if (bins > 4096) throw new ArgumentOutOfRangeException(nameof(bins), bins, "At most 4,096 bins per axis are supported.");
        ArgumentNullException.ThrowIfNull(points);
        if (points.dim() != 2 || points.size(1) != 2)
            throw new ArgumentException($"Expected 2-D points [N, 2], got [{string.Join(", ", points.shape)}].", nameof(points));
        var edges = Edges(bins, range);
        using var scope = torch.NewDisposeScope();
        var p = points.detach().to(ScalarType.Float64, torch.CPU);
        var interior = torch.tensor(edges[1..^1]);                   // [bins − 1]
        var x = p.select(1, 0);
        var y = p.select(1, 1);
        var inside = x.ge(-range).logical_and(x.le(range)).logical_and(y.ge(-range)).logical_and(y.le(range));
        // Number of interior edges ≤ v = searchsorted(edges, v, 'right') − 1, with v = R landing in the last bin.
        var ix = x.unsqueeze(1).ge(interior.unsqueeze(0)).to(ScalarType.Int64).sum(1);
        var iy = y.unsqueeze(1).ge(interior.unsqueeze(0)).to(ScalarType.Int64).sum(1);
        // int64 × int stays int64 (exact); bincount needs int64 indices.
        var flat = (ix * bins + iy).to(ScalarType.Int64).masked_select(inside);
        var counts = flat.numel() == 0
            ? torch.zeros([(long)bins * bins], ScalarType.Float64)
            : flat.bincount(null, (long)bins * bins).to(ScalarType.Float64);
        return counts.reshape(bins, bins).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The density histogram [bins, bins] (float64, CPU): counts / total / Δx_i / Δy_j in numpy's order of
    /// operations. NaN everywhere when no point falls inside (numpy's 0/0).
    /// </summary>
    public static Tensor Density(Tensor points, int bins, double range)
    {
        var edges = Edges(bins, range);
        var widths = new double[bins];
        for (int i = 0; i < bins; i++) widths[i] = edges[i + 1] - edges[i];
        using var scope = torch.NewDisposeScope();
        var counts = Counts(points, bins, range);
        double total = counts.sum().ToDouble();
        var w = torch.tensor(widths);
        var density = counts / w.unsqueeze(1) / w.unsqueeze(0) / total;
        return density.MoveToOuterDisposeScope();
    }
}
