using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Imaging;

// "Torch" alone would name the Microsoft.ML.Vae.Torch namespace here.
using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>Shared last step of the picture writers: float [C, H, W] in [0, 1] to a PNG file.</summary>
internal static class PngOutput
{
    /// <summary>Quantizes float [C, H, W] in [0, 1] (NaN → 0, clamped) to uint8 [H, W, C] by rounding.</summary>
    public static Tensor ToHwcBytes(Tensor chw)
    {
        using var scope = Torch.NewDisposeScope();
        var q = chw.NanToNum(0, 1, 0).Clamp(0, 1).Mul(255.0).Add(0.5).To(DType.UInt8);
        return q.Permute(1, 2, 0).Contiguous().MoveToOuterScope();
    }

    /// <summary>Writes uint8 [H, W, C] to <paramref name="path"/>, creating its folder when missing.</summary>
    public static void Write(string path, Tensor hwc)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        TorchImage.WritePng(path, hwc);
    }
}
