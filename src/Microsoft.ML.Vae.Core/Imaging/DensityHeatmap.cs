using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Vae.Core.Imaging;

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

    /// <summary>Writes <paramref name="density"/> [H, W] as a PNG (or JPEG for a .jpg/.jpeg name), atomically.</summary>
    public static void Save(string path, Tensor density, DensityHeatmapOptions? options = null)
    {
        using var pixels = Render(density, options);
        PictureOutput.Write(path, pixels);
    }

    /// <summary>The picture as uint8 [H·k, W·k, 3] on the CPU (k = PixelsPerCell).</summary>
    /// <exception cref="ArgumentException">The field is not 2-D or is empty.</exception>
    public static Tensor Render(Tensor density, DensityHeatmapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(density);
        options ??= new DensityHeatmapOptions();
        if (density.dim() != 2 || density.numel() == 0)
            throw new ArgumentException($"The density must be a non-empty [H, W] tensor, not one of shape {density.ShapeString()}.", nameof(density));
        if (options.PixelsPerCell <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.PixelsPerCell, "PixelsPerCell must be positive.");
        long h = density.size(0), w = density.size(1), k = options.PixelsPerCell;

        using var scope = torch.NewDisposeScope();
        var v = density.detach().to(ScalarType.Float64, torch.CPU);
        // Non-finite cells are painted as the minimum rather than poisoning the normalization.
        var finite = v.isfinite();
        var values = v.masked_select(finite);
        if (values.numel() == 0) v = torch.zeros_like(v);
        else
        {
            double lo = values.min().item<double>();
            v = torch.where(finite, v, torch.full_like(v, lo));
            if (options.LogScale)
            {
                double hi = values.max().item<double>();
                // Floor at six decades below the peak so zeros do not stretch the scale to −∞.
                double floor = hi > 0 ? hi * 1e-6 : double.Epsilon;
                v = v.clamp_min(floor).log();
            }
        }
        double min = v.min().item<double>(), max = v.max().item<double>();
        var unit = max > min ? (v - min) / (max - min) : torch.zeros_like(v);
        if (options.OriginAtBottom) unit = unit.flip(0);
        var index = (unit * 255.0).round().clamp(0, 255).to(ScalarType.Int64).flatten();
        var rgb = Palette().index_select(0, index).reshape(h, w, 3);
        if (k > 1) rgb = rgb.reshape(h, 1, w, 1, 3).expand(h, k, w, k, 3).reshape(h * k, w * k, 3);
        return rgb.contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The 256-entry colormap, uint8 [256, 3], from the lowest to the highest value.</summary>
    public static Tensor Palette()
    {
        using var scope = torch.NewDisposeScope();
        int segments = Anchors.Length / 3 - 1;
        var anchors = torch.tensor(Anchors, new long[] { segments + 1, 3 });
        var t = torch.linspace(0, segments, 256, ScalarType.Float32);
        var left = t.floor().clamp(0, segments - 1);
        var frac = (t - left).unsqueeze(1);
        var a = anchors.index_select(0, left.to(ScalarType.Int64));
        var b = anchors.index_select(0, (left + 1.0).to(ScalarType.Int64));
        return (a + (b - a) * frac).round().to(ScalarType.Byte).MoveToOuterDisposeScope();
    }
}
