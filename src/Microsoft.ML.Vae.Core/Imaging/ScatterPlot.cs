using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Vae.Core.Imaging;

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

    /// <summary>
    /// Writes several point sets, each in its color, later ones drawn over earlier ones, atomically to
    /// <paramref name="path"/>: PNG for .png, JPEG for .jpg/.jpeg; other extensions are refused.
    /// </summary>
    public static void Save(string path, IReadOnlyList<(Tensor Points, Rgb Color)> series, double range, ScatterPlotOptions? options = null)
    {
        using var pixels = Render(series, range, options);
        PictureOutput.Write(path, pixels);
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

        using var scope = torch.NewDisposeScope();
        var canvas = torch.ones([3, s, s]);
        if (options.DrawAxes)
        {
            long center = s / 2;
            var rows = torch.arange(s).reshape(s, 1).eq(center);
            var cols = torch.arange(s).reshape(1, s).eq(center);
            canvas = canvas.masked_fill(rows.logical_or(cols), 0.85);
        }
        var kernel = Disc(options.PointRadius);
        foreach (var (points, color) in series)
        {
            var counts = Counts(points, range, s);
            if (options.PointRadius > 0)
                counts = F.conv2d(counts.reshape(1, 1, s, s), kernel, padding: [options.PointRadius, options.PointRadius]).reshape(s, s);
            // Opacity accumulates like k stacked translucent layers: 1 − (1 − a)^k.
            var alpha = options.Opacity >= 1 ? counts.gt(0.5).to(ScalarType.Float32) : 1.0 - (counts * Math.Log(1 - options.Opacity)).exp();
            using var rgb = torch.tensor(new[] { color.R / 255f, color.G / 255f, color.B / 255f }, new long[] { 3, 1, 1 });
            canvas = canvas + alpha.unsqueeze(0) * (rgb - canvas);
        }
        return PictureOutput.ToHwcBytes(canvas).MoveToOuterDisposeScope();
    }

    /// <summary>Points per pixel, float32 [S, S]; row 0 is the top (y = +R). Points outside or non-finite are dropped.</summary>
    internal static Tensor Counts(Tensor points, double range, long size)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (points.dim() != 2 || points.size(1) != 2)
            throw new ArgumentException($"Points must be shaped [n, 2], not {points.ShapeString()}.", nameof(points));
        var p = points.detach().to(ScalarType.Float64, torch.CPU);
        double scale = size / (2 * range);
        var col = ((p.select(1, 0) + range) * scale).floor();
        var row = ((range - p.select(1, 1)) * scale).floor();
        // NaN fails every comparison, so it is dropped with the points outside.
        var inside = col.ge(0).logical_and(col.lt(size)).logical_and(row.ge(0)).logical_and(row.lt(size));
        var flat = (row * size + col).masked_select(inside).to(ScalarType.Int64);
        return flat.bincount(null, size * size).to(ScalarType.Float32).reshape(size, size);
    }

    private static Tensor Disc(int radius)
    {
        long k = 2 * radius + 1;
        var d = torch.arange(k, ScalarType.Float32) - radius;
        var r2 = d.reshape(k, 1).square() + d.reshape(1, k).square();
        // r² + r keeps the four axis-neighbours of the rim, giving rounder small discs.
        return r2.le(radius * radius + radius).to(ScalarType.Float32).reshape(1, 1, k, k);
    }
}
