using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// The S-IntroVAE image decoder (algorithms spec §2.6), the mirror of <see cref="IntroResNetEncoder"/>:
/// Linear(d → c_L·h·w) + ReLU, reshape [c_L, h, w]; for each c in c_L..c_0: residual block (prev→c) →
/// nearest Upsample×2; then a residual block (c_0→c_0) and conv5×5(c_0→C, pad 2, with bias).
/// The output is linear (no sigmoid). State-dict names: "fc.*", "main.*".
/// </summary>
public sealed class IntroResNetDecoder : nn.Module<Tensor, Tensor>
{
    private readonly Sequential _fc;
    private readonly Sequential _main;
    private readonly long[] _convInput;

    /// <summary>Creates the decoder producing [C, H, W] images.</summary>
    public IntroResNetDecoder(int imageChannels, int height, int width, IReadOnlyList<int> channels, int latentDim)
        : base(nameof(IntroResNetDecoder))
    {
        // Temporaries of the layer constructors are disposed here; the weights are claimed at the end.
        using var scope = torch.NewDisposeScope();
        var (h, w) = IntroResNet.ConvOutputSize(height, width, channels);
        if (imageChannels <= 0) throw new ArgumentOutOfRangeException(nameof(imageChannels), $"Image channels must be positive, got {imageChannels}.");
        if (latentDim <= 0) throw new ArgumentOutOfRangeException(nameof(latentDim), $"Latent dimension must be positive, got {latentDim}.");
        LatentDim = latentDim;
        ImageShape = [imageChannels, height, width];
        int cc = channels[^1];
        _convInput = [cc, h, w];
        _fc = nn.Sequential(nn.Linear(latentDim, cc * h * w), nn.ReLU());
        register_module("fc", _fc);
        _main = nn.Sequential();
        for (int i = channels.Count - 1; i >= 0; i--)
        {
            _main.append(new IntroResNetBlock(cc, channels[i]));
            _main.append(nn.Upsample(scale_factor: [2.0, 2.0], mode: UpsampleMode.Nearest));
            cc = channels[i];
        }
        _main.append(new IntroResNetBlock(cc, cc));
        _main.append(nn.Conv2d(cc, imageChannels, 5, padding: 2));
        register_module("main", _main);
        ModuleOwnership.Claim(this);
    }

    /// <summary>Latent dimension d.</summary>
    public int LatentDim { get; }

    /// <summary>The output image shape [C, H, W].</summary>
    public IReadOnlyList<long> ImageShape { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 2 || input.size(1) != LatentDim)
            throw new ArgumentException($"The decoder expects latents [N, {LatentDim}], got [{string.Join(", ", input.shape)}].", nameof(input));
        using var scope = torch.NewDisposeScope();
        var y = _fc.forward(input).view([input.size(0), .. _convInput]);
        return _main.forward(y).MoveToOuterDisposeScope();
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }
}
