using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Mapping;

/// <summary>
/// Turns model outputs in the data range into what the ML.NET columns carry: values multiplied by the
/// output scale (255 gives ConvertToImage's default, unscaled path) and, for single-plane images when
/// asked, the gray plane repeated into red, green and blue planes (ConvertToImage expects three).
/// </summary>
internal static class OutputImages
{
    /// <summary>True when samples of <paramref name="sampleShape"/> are images [C, H, W].</summary>
    public static bool IsImage(IReadOnlyList<long> sampleShape) => sampleShape.Count == 3;

    /// <summary>
    /// The dimensions of one output row: [planes, H, W] for images (planes = 3 when a single plane is
    /// expanded), otherwise the sample shape.
    /// </summary>
    public static int[] OutputDimensions(IReadOnlyList<long> sampleShape, bool expandGrayscaleToRgb)
    {
        var dims = sampleShape.Select(d => checked((int)d)).ToArray();
        if (IsImage(sampleShape) && dims[0] == 1 && expandGrayscaleToRgb) dims[0] = 3;
        return dims;
    }

    /// <summary>Scales a batch [N, ..sampleShape] and expands its gray plane when asked (a new tensor in the current scope).</summary>
    public static Tensor ToOutput(Tensor data, float outputScale, bool expandGrayscaleToRgb)
    {
        var scaled = outputScale == 1 ? data.alias() : data * outputScale;
        if (scaled.dim() == 4 && scaled.size(1) == 1 && expandGrayscaleToRgb)
            scaled = scaled.repeat(1, 3, 1, 1);
        return scaled.contiguous();
    }
}
