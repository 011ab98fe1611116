namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// Builds the S-IntroVAE residual encoder/decoder pair (algorithms spec §2.6) for [C, H, W] images
/// from a channel list; every entry adds one halving (encoder) and one doubling (decoder) of the
/// spatial size, so H and W must be divisible by 2^(entries).
/// </summary>
public static class IntroResNet
{
    /// <summary>
    /// The channel lists of the reference code by image side: 28 → (64, 128) (MNIST, Fashion-MNIST),
    /// 32 → (64, 128, 256) (CIFAR-10, SVHN), 128 → (64, 128, 256, 512, 512), 256 → (64, 128, 256, 512, 512, 512),
    /// 1024 → (16, 32, 64, 128, 256, 512, 512, 512).
    /// </summary>
    /// <exception cref="ArgumentException">No reference list exists for the size; pass channels explicitly.</exception>
    public static int[] DefaultChannels(int imageSize) => imageSize switch
    {
        28 => [64, 128],
        32 => [64, 128, 256],
        128 => [64, 128, 256, 512, 512],
        256 => [64, 128, 256, 512, 512, 512],
        1024 => [16, 32, 64, 128, 256, 512, 512, 512],
        _ => throw new ArgumentException(
            $"There is no reference channel list for {imageSize}×{imageSize} images (known: 28, 32, 128, 256, 1024); give the channels explicitly.", nameof(imageSize)),
    };

    /// <summary>Spatial size (h, w) of the encoder's last feature map: H and W divided by 2^(channels.Count).</summary>
    /// <exception cref="ArgumentException">The channel list is empty or non-positive, or a side is not divisible.</exception>
    public static (int Height, int Width) ConvOutputSize(int height, int width, IReadOnlyList<int> channels)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count == 0 || channels.Any(c => c <= 0))
            throw new ArgumentException($"The channel list must be non-empty with positive entries, got [{string.Join(", ", channels)}].", nameof(channels));
        if (channels.Count > 20) throw new ArgumentException($"The channel list has {channels.Count} entries; at most 20 are supported.", nameof(channels));
        int factor = 1 << channels.Count;
        if (height <= 0 || width <= 0 || height % factor != 0 || width % factor != 0)
            throw new ArgumentException(
                $"A {height}×{width} image cannot be halved {channels.Count} times (one per channel entry): both sides must be positive multiples of {factor}.");
        return (height / factor, width / factor);
    }

    /// <summary>A new encoder/decoder pair for [C, H, W] images; <paramref name="channels"/> null picks <see cref="DefaultChannels"/> (square images).</summary>
    public static (IntroResNetEncoder Encoder, IntroResNetDecoder Decoder) Create(IReadOnlyList<long> sampleShape, int latentDim, IReadOnlyList<int>? channels = null)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Count != 3 || sampleShape.Any(s => s <= 0 || s > int.MaxValue))
            throw new ArgumentException($"The residual networks take [C, H, W] images, got sample shape [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        int c = (int)sampleShape[0], h = (int)sampleShape[1], w = (int)sampleShape[2];
        if (channels is null)
        {
            if (h != w) throw new ArgumentException($"Default channel lists exist for square images only; give the channels for {h}×{w}.", nameof(channels));
            channels = DefaultChannels(h);
        }
        var encoder = new IntroResNetEncoder(c, h, w, channels, latentDim);
        try
        {
            return (encoder, new IntroResNetDecoder(c, h, w, channels, latentDim));
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }
}
