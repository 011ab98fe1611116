using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Imaging;

// "Torch" alone would name the Microsoft.ML.Vae.Torch namespace here.
using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// Paints a 2-D density (or any scalar field) [H, W] with a perceptually uniform colormap (an
/// approximation of matplotlib's viridis: dark purple for the minimum, yellow for the maximum).
/// Values are min–max normalized and looked up in a 256-entry palette with one index_select.
/// </summary>
public static class DensityHeatmap
{
    // Viridis sampled at 0, 1/8, …, 1; the 256-entry palette interpolates linearly between them.
    private static readonly float[] Anchors =
    [
        68, 1, 84, 71, 44, 122, 59, 81, 139, 44, 113, 142, 33, 144, 141,
        39, 173, 129, 92, 200, 99, 170, 220, 50, 253, 231, 37,
    ];

    /// <summary>Writes <paramref name="density"/> [H, W] as a PNG.</summary>
    public static void Save(string path, Tensor density, DensityHeatmapOptions? options = null)
    {
        using var pixels = Render(density, options);
        PngOutput.Write(path, pixels);
    }

    /// <summary>The picture as uint8 [H·k, W·k, 3] on the CPU (k = PixelsPerCell).</summary>
    /// <exception cref="ArgumentException">The field is not 2-D or is empty.</exception>
    public static Tensor Render(Tensor density, DensityHeatmapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(density);
        options ??= new DensityHeatmapOptions();
        if (density.Dim != 2 || density.NumberOfElements == 0)
            throw new ArgumentException($"The density must be a non-empty [H, W] tensor, not {density}.", nameof(density));
        if (options.PixelsPerCell <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.PixelsPerCell, "PixelsPerCell must be positive.");
        long h = density.Size(0), w = density.Size(1), k = options.PixelsPerCell;

        using var scope = Torch.NewDisposeScope();
        var v = density.Detach().To(DType.Float64, Device.Cpu);
        // Non-finite cells are painted as the minimum rather than poisoning the normalization.
        var finite = v.IsFinite();
        var values = v.MaskedSelect(finite);
        if (values.NumberOfElements == 0) v = Torch.ZerosLike(v);
        else
        {
            double lo = values.Min().Item();
            v = v.Where(finite, Torch.FullLike(v, lo));
            if (options.LogScale)
            {
                double hi = values.Max().Item();
                // Floor at six decades below the peak so zeros do not stretch the scale to −∞.
                double floor = hi > 0 ? hi * 1e-6 : double.Epsilon;
                v = v.ClampMin(floor).Log();
            }
        }
        double min = v.Min().Item(), max = v.Max().Item();
        var unit = max > min ? (v - min) / (max - min) : Torch.ZerosLike(v);
        if (options.OriginAtBottom) unit = unit.Flip(0);
        var index = (unit * 255.0).Round().Clamp(0, 255).To(DType.Int64).Flatten();
        var rgb = Palette().IndexSelect(0, index).Reshape(h, w, 3);
        if (k > 1) rgb = rgb.Reshape(h, 1, w, 1, 3).Expand(h, k, w, k, 3).Reshape(h * k, w * k, 3);
        return rgb.Contiguous().MoveToOuterScope();
    }

    /// <summary>The 256-entry colormap, uint8 [256, 3], from the lowest to the highest value.</summary>
    public static Tensor Palette()
    {
        using var scope = Torch.NewDisposeScope();
        int segments = Anchors.Length / 3 - 1;
        var anchors = Tensor.From(Anchors, segments + 1, 3);
        var t = Torch.Linspace(0, segments, 256, DType.Float32);
        var left = t.Floor().Clamp(0, segments - 1);
        var frac = (t - left).Unsqueeze(1);
        var a = anchors.IndexSelect(0, left.To(DType.Int64));
        var b = anchors.IndexSelect(0, (left + 1.0).To(DType.Int64));
        return (a + (b - a) * frac).Round().To(DType.UInt8).MoveToOuterScope();
    }
}
