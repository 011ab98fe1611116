using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>How images are prepared before feature extraction in FID.</summary>
public static class FidInputs
{
    /// <summary>
    /// Clips to [0, 1], quantizes to 8 bits and maps back: <c>floor(clamp(x, 0, 1)·255) / 255</c>.
    /// This is what the S-IntroVAE FID code does to generated images (numpy's
    /// <c>np.clip(x·255, 0, 255).astype(np.uint8) / 255</c>, which truncates), so generated images
    /// get the same 256 gray levels real 8-bit images have. Real images loaded as k/255 pass
    /// through unchanged (k/255·255 floors back to k in float32). Returns a new float32 tensor on
    /// the input's device.
    /// </summary>
    public static Tensor Quantize(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (!images.DType.IsFloatingPoint())
            throw new ArgumentException($"Images to quantize must be floating point, not {images.DType}.", nameof(images));
        using var scope = Torch.NewDisposeScope();
        // NaN would survive clamp and become an arbitrary byte; refuse it instead.
        if (!images.AllFinite())
            throw new ArgumentException("Images hold NaN or infinity; the generator diverged.", nameof(images));
        var levels = images.To(DType.Float32).Clamp(0, 1).Mul(255.0).Floor();
        return levels.Div(255.0).MoveToOuterScope();
    }
}
