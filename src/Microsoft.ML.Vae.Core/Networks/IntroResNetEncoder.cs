namespace Microsoft.ML.Vae.Core.Networks;

using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

/// <summary>
/// The S-IntroVAE image encoder (algorithms spec §2.6) for channel list c_0..c_L:
/// conv5×5(C→c_0, pad 2, no bias) → BN → LeakyReLU(0.2) → AvgPool2; for each c in c_1..c_L:
/// residual block (prev→c) → AvgPool2; then a residual block (c_L→c_L); flatten → Linear(c_L·h·w → 2d),
/// split into mean and log-variance. h = H / 2^(L+1), w = W / 2^(L+1) (28 → 7 for two channels,
/// 32 → 4 for three). State-dict names: "main.*" (Sequential), "fc.*".
/// </summary>
public sealed class IntroResNetEncoder : GaussianEncoder
{
    private readonly Sequential _main;
    private readonly Linear _fc;
    private readonly int _latentDim;

    /// <summary>Creates the encoder for [C, H, W] images.</summary>
    /// <param name="imageChannels">Input channels C.</param>
    /// <param name="height">Image height H (divisible by 2^(number of channel entries)).</param>
    /// <param name="width">Image width W (same condition).</param>
    /// <param name="channels">The channel list c_0..c_L (at least one entry).</param>
    /// <param name="latentDim">Latent dimension d.</param>
    public IntroResNetEncoder(int imageChannels, int height, int width, IReadOnlyList<int> channels, int latentDim)
    {
        var (h, w) = IntroResNet.ConvOutputSize(height, width, channels);
        if (imageChannels <= 0) throw new ArgumentOutOfRangeException(nameof(imageChannels), $"Image channels must be positive, got {imageChannels}.");
        if (latentDim <= 0) throw new ArgumentOutOfRangeException(nameof(latentDim), $"Latent dimension must be positive, got {latentDim}.");
        _latentDim = latentDim;
        ImageShape = [imageChannels, height, width];
        int cc = channels[0];
        _main = new Sequential(
            new Conv2d(imageChannels, cc, 5, padding: 2, bias: false),
            new BatchNorm2d(cc),
            new LeakyReLU(IntroResNetBlock.LeakySlope),
            new AvgPool2d(2));
        foreach (int ch in channels.Skip(1))
        {
            _main.Append(new IntroResNetBlock(cc, ch));
            _main.Append(new AvgPool2d(2));
            cc = ch;
        }
        _main.Append(new IntroResNetBlock(cc, cc));
        RegisterModule("main", _main);
        ConvOutputShape = [cc, h, w];
        _fc = RegisterModule("fc", new Linear(cc * h * w, 2 * latentDim));
    }

    /// <inheritdoc />
    public override int LatentDim => _latentDim;

    /// <summary>The input image shape [C, H, W].</summary>
    public IReadOnlyList<long> ImageShape { get; }

    /// <summary>Shape [c_L, h, w] of the convolutional features before the linear layer.</summary>
    public IReadOnlyList<long> ConvOutputShape { get; }

    /// <inheritdoc />
    public override (Tensor Mean, Tensor LogVar) Forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Dim != 4 || !x.Shape.Skip(1).SequenceEqual(ImageShape))
            throw new ArgumentException($"The encoder expects images [N, {string.Join(", ", ImageShape)}], got [{string.Join(", ", x.Shape)}].", nameof(x));
        using var scope = Torch.NewDisposeScope();
        var features = _fc.Forward(_main.Forward(x).Flatten(1));
        return (features.Narrow(1, 0, _latentDim).MoveToOuterScope(), features.Narrow(1, _latentDim, _latentDim).MoveToOuterScope());
    }
}
