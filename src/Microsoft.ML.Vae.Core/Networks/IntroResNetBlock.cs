namespace Microsoft.ML.Vae.Core.Networks;

using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

/// <summary>
/// The residual block of the S-IntroVAE image networks (algorithms spec §2.6):
/// main = conv3×3 (no bias) → BN → LeakyReLU(0.2) → conv3×3 (no bias) → BN;
/// shortcut = 1×1 conv (no bias) when the channel count changes, else the identity;
/// output = LeakyReLU(0.2)(main + shortcut). Spatial size is preserved.
/// State-dict names: "conv_expand.weight" (only when channels change), "conv1.*", "bn1.*", "conv2.*", "bn2.*".
/// </summary>
public sealed class IntroResNetBlock : Layer
{
    /// <summary>Slope of the leaky ReLUs.</summary>
    public const double LeakySlope = 0.2;

    private readonly Conv2d? _expand;
    private readonly Conv2d _conv1;
    private readonly BatchNorm2d _bn1;
    private readonly Conv2d _conv2;
    private readonly BatchNorm2d _bn2;

    /// <summary>Creates a block from <paramref name="inChannels"/> to <paramref name="outChannels"/>.</summary>
    public IntroResNetBlock(int inChannels, int outChannels)
    {
        if (inChannels <= 0 || outChannels <= 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), $"Channel counts must be positive, got {inChannels} → {outChannels}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        if (inChannels != outChannels) _expand = RegisterModule("conv_expand", new Conv2d(inChannels, outChannels, 1, bias: false));
        _conv1 = RegisterModule("conv1", new Conv2d(inChannels, outChannels, 3, padding: 1, bias: false));
        _bn1 = RegisterModule("bn1", new BatchNorm2d(outChannels));
        _conv2 = RegisterModule("conv2", new Conv2d(outChannels, outChannels, 3, padding: 1, bias: false));
        _bn2 = RegisterModule("bn2", new BatchNorm2d(outChannels));
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Dim != 4 || input.Size(1) != InChannels)
            throw new ArgumentException($"The residual block expects [N, {InChannels}, H, W], got [{string.Join(", ", input.Shape)}].", nameof(input));
        using var scope = Torch.NewDisposeScope();
        var identity = _expand is null ? input : _expand.Forward(input);
        var h = _bn1.Forward(_conv1.Forward(input)).LeakyRelu(LeakySlope);
        h = _bn2.Forward(_conv2.Forward(h));
        return (h + identity).LeakyRelu(LeakySlope).MoveToOuterScope();
    }
}
