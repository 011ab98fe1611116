using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Imaging;

// "Torch" alone would name the Microsoft.ML.Vae.Torch namespace here.
using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// Draws 2-D points over the square [−R, R]² (x to the right, y up) into a PNG. Points are
/// binned into pixels with one bincount, spread into discs with one convolution, and blended
/// over a white canvas; everything is tensor arithmetic.
/// </summary>
public static class ScatterPlot
{
    /// <summary>Writes <paramref name="points"/> [n, 2] over [−range, range]² in the first series color.</summary>
    public static void Save(string path, Tensor points, double range, ScatterPlotOptions? options = null) =>
        Save(path, [(points, Rgb.Categorical[0])], range, options);

    /// <summary>Writes <paramref name="points"/> [n, 2] over the sampler's plot range.</summary>
    public static void Save(string path, Tensor points, IDataSampler sampler, ScatterPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        Save(path, points, sampler.PlotRange, options);
    }

    /// <summary>Writes several point sets, each in its color, later ones drawn over earlier ones.</summary>
    public static void Save(string path, IReadOnlyList<(Tensor Points, Rgb Color)> series, double range, ScatterPlotOptions? options = null)
    {
        using var pixels = Render(series, range, options);
        PngOutput.Write(path, pixels);
    }

    /// <summary>The picture as uint8 [S, S, 3] on the CPU.</summary>
    /// <exception cref="ArgumentException">A point set is not [n, 2], or the range or options are invalid.</exception>
    public static Tensor Render(IReadOnlyList<(Tensor Points, Rgb Color)> series, double range, ScatterPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        options ??= new ScatterPlotOptions();
        if (!(range > 0) || !double.IsFinite(range)) throw new ArgumentOutOfRangeException(nameof(range), range, "The plot range must be finite and positive.");
        if (options.Size <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Size, "The picture size must be positive.");
        if (options.PointRadius < 0) throw new ArgumentOutOfRangeException(nameof(options), options.PointRadius, "The point radius must be 0 or more.");
        if (!(options.Opacity > 0 && options.Opacity <= 1)) throw new ArgumentOutOfRangeException(nameof(options), options.Opacity, "Opacity must lie in (0, 1].");
        long s = options.Size;

        using var scope = Torch.NewDisposeScope();
        var canvas = Torch.Ones([3, s, s]);
        if (options.DrawAxes)
        {
            long center = s / 2;
            var rows = Torch.Arange(s).Reshape(s, 1).Eq(center);
            var cols = Torch.Arange(s).Reshape(1, s).Eq(center);
            canvas = canvas.MaskedFill(rows.LogicalOr(cols), 0.85);
        }
        var kernel = Disc(options.PointRadius);
        foreach (var (points, color) in series)
        {
            var counts = Counts(points, range, s);
            if (options.PointRadius > 0)
                counts = Functional.Conv2d(counts.Reshape(1, 1, s, s), kernel, padding: options.PointRadius).Reshape(s, s);
            // Opacity accumulates like k stacked translucent layers: 1 − (1 − a)^k.
            var alpha = options.Opacity >= 1 ? counts.Gt(0.5).To(DType.Float32) : 1.0 - (counts * Math.Log(1 - options.Opacity)).Exp();
            using var rgb = Tensor.From(new[] { color.R / 255f, color.G / 255f, color.B / 255f }, 3, 1, 1);
            canvas = canvas + alpha.Unsqueeze(0) * (rgb - canvas);
        }
        return PngOutput.ToHwcBytes(canvas).MoveToOuterScope();
    }

    /// <summary>Points per pixel, float32 [S, S]; row 0 is the top (y = +R). Points outside or non-finite are dropped.</summary>
    internal static Tensor Counts(Tensor points, double range, long size)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.Dim != 2 || points.Size(1) != 2)
            throw new ArgumentException($"Points must be shaped [n, 2], not {points}.", nameof(points));
        var p = points.Detach().To(DType.Float64, Device.Cpu);
        double scale = size / (2 * range);
        var col = ((p.Select(1, 0) + range) * scale).Floor();
        var row = ((range - p.Select(1, 1)) * scale).Floor();
        // NaN fails every comparison, so it is dropped with the points outside.
        var inside = col.Ge(0).LogicalAnd(col.Lt(size)).LogicalAnd(row.Ge(0)).LogicalAnd(row.Lt(size));
        var flat = (row * size + col).MaskedSelect(inside).To(DType.Int64);
        return flat.BinCount(size * size).To(DType.Float32).Reshape(size, size);
    }

    private static Tensor Disc(int radius)
    {
        long k = 2 * radius + 1;
        var d = Torch.Arange(k, DType.Float32) - radius;
        var r2 = d.Reshape(k, 1).Square() + d.Reshape(1, k).Square();
        // r² + r keeps the four axis-neighbours of the rim, giving rounder small discs.
        return r2.Le(radius * radius + radius).To(DType.Float32).Reshape(1, 1, k, k);
    }
}
