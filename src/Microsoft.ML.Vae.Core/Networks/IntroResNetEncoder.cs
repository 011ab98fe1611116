using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

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
        : base(nameof(IntroResNetEncoder))
    {
        // Temporaries of the layer constructors are disposed here; the weights are claimed at the end.
        using var scope = torch.NewDisposeScope();
        var (h, w) = IntroResNet.ConvOutputSize(height, width, channels);
        if (imageChannels <= 0) throw new ArgumentOutOfRangeException(nameof(imageChannels), $"Image channels must be positive, got {imageChannels}.");
        if (latentDim <= 0) throw new ArgumentOutOfRangeException(nameof(latentDim), $"Latent dimension must be positive, got {latentDim}.");
        _latentDim = latentDim;
        ImageShape = [imageChannels, height, width];
        int cc = channels[0];
        _main = nn.Sequential(
            nn.Conv2d(imageChannels, cc, 5, padding: 2, bias: false),
            nn.BatchNorm2d(cc),
            nn.LeakyReLU(IntroResNetBlock.LeakySlope),
            nn.AvgPool2d(2));
        foreach (int ch in channels.Skip(1))
        {
            _main.append(new IntroResNetBlock(cc, ch));
            _main.append(nn.AvgPool2d(2));
            cc = ch;
        }
        _main.append(new IntroResNetBlock(cc, cc));
        register_module("main", _main);
        ConvOutputShape = [cc, h, w];
        _fc = nn.Linear(cc * h * w, 2 * latentDim);
        register_module("fc", _fc);
        ModuleOwnership.Claim(this);
    }

    /// <inheritdoc />
    public override int LatentDim => _latentDim;

    /// <summary>The input image shape [C, H, W].</summary>
    public IReadOnlyList<long> ImageShape { get; }

    /// <summary>Shape [c_L, h, w] of the convolutional features before the linear layer.</summary>
    public IReadOnlyList<long> ConvOutputShape { get; }

    /// <inheritdoc />
    public override (Tensor Mean, Tensor LogVar) forward(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.dim() != 4 || !x.shape.Skip(1).SequenceEqual(ImageShape))
            throw new ArgumentException($"The encoder expects images [N, {string.Join(", ", ImageShape)}], got [{string.Join(", ", x.shape)}].", nameof(x));
        using var scope = torch.NewDisposeScope();
        var features = _fc.forward(_main.forward(x).flatten(1));
        return (features.narrow(1, 0, _latentDim).MoveToOuterDisposeScope(), features.narrow(1, _latentDim, _latentDim).MoveToOuterDisposeScope());
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }
}
