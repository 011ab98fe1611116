using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

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
        if (!torch.is_floating_point(images))
            throw new ArgumentException($"Images to quantize must be floating point, not {images.dtype}.", nameof(images));
        using var scope = torch.NewDisposeScope();
        // NaN would survive clamp and become an arbitrary byte; refuse it instead.
        if (!images.AllFinite())
            throw new ArgumentException("Images hold NaN or infinity; the generator diverged.", nameof(images));
        var levels = images.to(ScalarType.Float32).clamp(0, 1).mul(255.0).floor();
        return levels.div(255.0).MoveToOuterDisposeScope();
    }
}
