namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// Geometry of GAMIX-VAE's pre-activation ResNet encoder and decoder (algorithms spec §4.2) for an
/// image of <see cref="Channels"/>×<see cref="Height"/>×<see cref="Width"/>: every stage halves
/// (encoder) or doubles (decoder) the sides, so both sides must be divisible by 2^<see cref="Stages"/>;
/// the code map has <see cref="CodeChannels"/> channels at (H, W)/2^stages.
/// Defaults are the paper's 256×256×3, d_z = 512 configuration (≈9.93 M parameters as Keras counts them).
/// </summary>
public sealed record PreActResNetConfig
{
    /// <summary>Image channels C (default 3).</summary>
    public int Channels { get; init; } = 3;

    /// <summary>Image height H (default 256).</summary>
    public int Height { get; init; } = 256;

    /// <summary>Image width W (default 256).</summary>
    public int Width { get; init; } = 256;

    /// <summary>Latent dimension d_z (default 512).</summary>
    public int LatentDim { get; init; } = 512;

    /// <summary>Convolution filters of every block (default 128; the code's filter list is [128]×7).</summary>
    public int Filters { get; init; } = 128;

    /// <summary>Down-sampling stages of the encoder and up-sampling stages of the decoder (default 6: 256 → 4).</summary>
    public int Stages { get; init; } = 6;

    /// <summary>Identity blocks before each encoder down-sampling block (default 2).</summary>
    public int EncoderIdentityBlocks { get; init; } = 2;

    /// <summary>Identity blocks before each decoder up-sampling block (default 1).</summary>
    public int DecoderIdentityBlocks { get; init; } = 1;

    /// <summary>Channels of the code map (default 64 = d_z/8, the code's choice).</summary>
    public int CodeChannels { get; init; } = 64;

    /// <summary>Batch-normalization epsilon (default 1e-3, Keras' default).</summary>
    public double BatchNormEps { get; init; } = 1e-3;

    /// <summary>Running-statistics momentum in PyTorch's convention (default 0.01 = Keras' momentum 0.99).</summary>
    public double BatchNormMomentum { get; init; } = 0.01;

    /// <summary>Epsilon of the input layer normalization (default 1e-3, Keras' default).</summary>
    public double LayerNormEps { get; init; } = 1e-3;

    /// <summary>Height of the code map: H / 2^stages.</summary>
    public int CodeHeight => Height >> Stages;

    /// <summary>Width of the code map: W / 2^stages.</summary>
    public int CodeWidth => Width >> Stages;

    /// <summary>Features of the flattened code map: code channels × code height × code width.</summary>
    public int CodeFeatures => checked(CodeChannels * CodeHeight * CodeWidth);

    /// <summary>The code's default number of code channels for a latent dimension: max(1, d_z / 8).</summary>
    public static int DefaultCodeChannels(int latentDim) => Math.Max(1, latentDim / 8);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        Positive(Channels, nameof(Channels));
        Positive(Height, nameof(Height));
        Positive(Width, nameof(Width));
        Positive(LatentDim, nameof(LatentDim));
        Positive(Filters, nameof(Filters));
        Positive(CodeChannels, nameof(CodeChannels));
        if (Stages is < 1 or > 16) throw new ArgumentException($"Stages must be in 1 … 16 (got {Stages}).", nameof(Stages));
        if (EncoderIdentityBlocks < 0) throw new ArgumentException($"EncoderIdentityBlocks must not be negative (got {EncoderIdentityBlocks}).", nameof(EncoderIdentityBlocks));
        if (DecoderIdentityBlocks < 0) throw new ArgumentException($"DecoderIdentityBlocks must not be negative (got {DecoderIdentityBlocks}).", nameof(DecoderIdentityBlocks));
        int factor = 1 << Stages;
        if (Height % factor != 0 || Width % factor != 0)
            throw new ArgumentException(
                $"The pre-activation ResNet halves the image {Stages} times and doubles it back, so height and width must be divisible by {factor}; " +
                $"got {Height}×{Width} (e.g. 28×28 works with 2 stages, 28 → 14 → 7; 32×32 with up to 5).", nameof(Stages));
        if (!(BatchNormEps > 0) || double.IsInfinity(BatchNormEps)) throw new ArgumentException($"BatchNormEps must be positive (got {BatchNormEps}).", nameof(BatchNormEps));
        if (!(BatchNormMomentum is >= 0 and <= 1)) throw new ArgumentException($"BatchNormMomentum must be in [0, 1] (got {BatchNormMomentum}).", nameof(BatchNormMomentum));
        if (!(LayerNormEps > 0) || double.IsInfinity(LayerNormEps)) throw new ArgumentException($"LayerNormEps must be positive (got {LayerNormEps}).", nameof(LayerNormEps));
        _ = CodeFeatures;
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentException($"{name} must be positive (got {value}).", name);
    }
}
