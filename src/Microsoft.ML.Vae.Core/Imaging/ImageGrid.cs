using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Vae.Core.Imaging;

/// <summary>
/// Tiles a batch of images into one picture, like torchvision's <c>make_grid</c>: cells in
/// row-major order with <c>padding</c> pixels of background around and between them. Built
/// entirely with tensor operations and written as one PNG.
/// </summary>
public static class ImageGrid
{
    /// <summary>Writes <paramref name="images"/> as a grid picture.</summary>
    /// <param name="path">The file to create or overwrite atomically: PNG for .png, JPEG for .jpg/.jpeg, other extensions are refused (its folder is created when missing).</param>
    /// <param name="images">[N, C, H, W] with C = 1 (kept gray) or 3, values in [0, 1] (clamped; NaN shows black).</param>
    /// <param name="columns">Images per row; default ⌈√N⌉.</param>
    /// <param name="padding">Background pixels around and between the images (0 or more).</param>
    public static void Save(string path, Tensor images, int? columns = null, int padding = 2)
    {
        using var pixels = Compose(images, columns, padding);
        PictureOutput.Write(path, pixels);
    }

    /// <summary>
    /// The grid as uint8 [rows·(H+p)+p, cols·(W+p)+p, C] on the CPU; cell (r, c) starts at
    /// pixel (p + r·(H+p), p + c·(W+p)). Unused trailing cells and the padding have
    /// <paramref name="background"/> (0 = black … 1 = white).
    /// </summary>
    public static Tensor Compose(Tensor images, int? columns = null, int padding = 2, double background = 0.0)
    {
        ArgumentNullException.ThrowIfNull(images);
        var shape = images.shape;
        if (shape.Length != 4)
            throw new ArgumentException($"Images must be shaped [N, C, H, W], not [{string.Join(", ", shape)}]; add a batch dimension with unsqueeze(0) for one image.", nameof(images));
        long n = shape[0], c = shape[1], h = shape[2], w = shape[3];
        if (n == 0 || h == 0 || w == 0) throw new ArgumentException("There are no images (or they have no pixels) to tile.", nameof(images));
        if (c is not (1 or 3)) throw new ArgumentException($"Images must have 1 or 3 channels, not {c}.", nameof(images));
        if (columns is <= 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "Columns must be positive.");
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), padding, "Padding must be 0 or more.");
        if (!(background >= 0 && background <= 1)) throw new ArgumentOutOfRangeException(nameof(background), background, "Background must lie in [0, 1].");

        long cols = Math.Min(columns ?? (long)Math.Ceiling(Math.Sqrt(n)), n);
        long rows = (n + cols - 1) / cols;
        long p = padding, ch = h + p, cw = w + p;

        using var scope = torch.NewDisposeScope();
        var x = images.detach().to(ScalarType.Float32, torch.CPU).nan_to_num(0, 1, 0).clamp(0, 1);
        if (rows * cols > n)
            x = torch.cat([x, torch.full([rows * cols - n, c, h, w], background)], 0);
        // Right/bottom padding per cell, then the cells side by side, then the left/top border.
        x = F.pad(x, [0, p, 0, p], PaddingModes.Constant, background);
        x = x.reshape(rows, cols, c, ch, cw).permute(2, 0, 3, 1, 4).reshape(c, rows * ch, cols * cw);
        x = F.pad(x, [p, 0, p, 0], PaddingModes.Constant, background);
        return PictureOutput.ToHwcBytes(x).MoveToOuterDisposeScope();
    }
}
