namespace Microsoft.ML.Vae.Core.Networks;

using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

/// <summary>
/// The S-IntroVAE image decoder (algorithms spec §2.6), the mirror of <see cref="IntroResNetEncoder"/>:
/// Linear(d → c_L·h·w) + ReLU, reshape [c_L, h, w]; for each c in c_L..c_0: residual block (prev→c) →
/// nearest Upsample×2; then a residual block (c_0→c_0) and conv5×5(c_0→C, pad 2, with bias).
/// The output is linear (no sigmoid). State-dict names: "fc.*", "main.*".
/// </summary>
public sealed class IntroResNetDecoder : Layer
{
    private readonly Sequential _fc;
    private readonly Sequential _main;
    private readonly long[] _convInput;

    /// <summary>Creates the decoder producing [C, H, W] images.</summary>
    public IntroResNetDecoder(int imageChannels, int height, int width, IReadOnlyList<int> channels, int latentDim)
    {
        var (h, w) = IntroResNet.ConvOutputSize(height, width, channels);
        if (imageChannels <= 0) throw new ArgumentOutOfRangeException(nameof(imageChannels), $"Image channels must be positive, got {imageChannels}.");
        if (latentDim <= 0) throw new ArgumentOutOfRangeException(nameof(latentDim), $"Latent dimension must be positive, got {latentDim}.");
        LatentDim = latentDim;
        ImageShape = [imageChannels, height, width];
        int cc = channels[^1];
        _convInput = [cc, h, w];
        _fc = RegisterModule("fc", new Sequential(new Linear(latentDim, cc * h * w), new ReLU()));
        _main = new Sequential();
        for (int i = channels.Count - 1; i >= 0; i--)
        {
            _main.Append(new IntroResNetBlock(cc, channels[i]));
            _main.Append(new Upsample(2));
            cc = channels[i];
        }
        _main.Append(new IntroResNetBlock(cc, cc));
        _main.Append(new Conv2d(cc, imageChannels, 5, padding: 2));
        RegisterModule("main", _main);
    }

    /// <summary>Latent dimension d.</summary>
    public int LatentDim { get; }

    /// <summary>The output image shape [C, H, W].</summary>
    public IReadOnlyList<long> ImageShape { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Dim != 2 || input.Size(1) != LatentDim)
            throw new ArgumentException($"The decoder expects latents [N, {LatentDim}], got [{string.Join(", ", input.Shape)}].", nameof(input));
        using var scope = Torch.NewDisposeScope();
        var y = _fc.Forward(input).View([input.Size(0), .. _convInput]);
        return _main.Forward(y).MoveToOuterScope();
    }
}
