namespace Microsoft.ML.Vae.Core.Evaluation;

using Microsoft.ML.Vae.Torch;

// "Torch" alone would name the Microsoft.ML.Vae.Torch namespace here.
using Torch = Microsoft.ML.Vae.Torch.Torch;

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
        if (points.Dim != 2 || points.Size(1) != 2)
            throw new ArgumentException($"Expected 2-D points [N, 2], got [{string.Join(", ", points.Shape)}].", nameof(points));
        var edges = Edges(bins, range);
        using var scope = Torch.NewDisposeScope();
        var p = points.Detach().To(DType.Float64, Device.Cpu);
        var interior = Tensor.From(edges[1..^1]);                   // [bins − 1]
        var x = p.Select(1, 0);
        var y = p.Select(1, 1);
        var inside = x.Ge(-range).LogicalAnd(x.Le(range)).LogicalAnd(y.Ge(-range)).LogicalAnd(y.Le(range));
        // Number of interior edges ≤ v = searchsorted(edges, v, 'right') − 1, with v = R landing in the last bin.
        var ix = x.Unsqueeze(1).Ge(interior.Unsqueeze(0)).To(DType.Int64).Sum(1);
        var iy = y.Unsqueeze(1).Ge(interior.Unsqueeze(0)).To(DType.Int64).Sum(1);
        // Scalar arithmetic promotes to floating point (exact below 2^24 cells); back to int64 for bincount.
        var flat = (ix * bins + iy).To(DType.Int64).MaskedSelect(inside);
        var counts = flat.NumberOfElements == 0
            ? Torch.Zeros([(long)bins * bins], DType.Float64)
            : flat.BinCount((long)bins * bins).To(DType.Float64);
        return counts.Reshape(bins, bins).MoveToOuterScope();
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
        using var scope = Torch.NewDisposeScope();
        var counts = Counts(points, bins, range);
        double total = counts.Sum().Item();
        var w = Tensor.From(widths);
        var density = counts / w.Unsqueeze(1) / w.Unsqueeze(0) / total;
        return density.MoveToOuterScope();
    }
}
