using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Vae.Core.Imaging;

/// <summary>Shared last step of the picture writers: float [C, H, W] in [0, 1] to a PNG or JPEG file.</summary>
internal static class PictureOutput
{
    /// <summary>Quantizes float [C, H, W] in [0, 1] (NaN → 0, clamped) to uint8 [H, W, C] by rounding.</summary>
    public static Tensor ToHwcBytes(Tensor chw)
    {
        using var scope = torch.NewDisposeScope();
        var q = chw.nan_to_num(0, 1, 0).clamp(0, 1).mul(255.0).add(0.5).to(ScalarType.Byte);
        return q.permute(1, 2, 0).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Writes uint8 [H, W, C] to <paramref name="path"/> in the format its extension names (.png, .jpg,
    /// .jpeg; others are refused before anything is written), creating its folder when missing.
    /// </summary>
    public static void Write(string path, Tensor hwc)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var format = ImageFileFormats.FromPath(path);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        ImageCodec.WriteImage(path, hwc, format);
    }
}
