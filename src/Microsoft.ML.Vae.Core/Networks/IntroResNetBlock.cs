using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// The residual block of the S-IntroVAE image networks (algorithms spec §2.6):
/// main = conv3×3 (no bias) → BN → LeakyReLU(0.2) → conv3×3 (no bias) → BN;
/// shortcut = 1×1 conv (no bias) when the channel count changes, else the identity;
/// output = LeakyReLU(0.2)(main + shortcut). Spatial size is preserved.
/// State-dict names: "conv_expand.weight" (only when channels change), "conv1.*", "bn1.*", "conv2.*", "bn2.*".
/// </summary>
public sealed class IntroResNetBlock : nn.Module<Tensor, Tensor>
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
        : base(nameof(IntroResNetBlock))
    {
        // Temporaries of the layer constructors are disposed here; the weights are claimed at the end.
        using var scope = torch.NewDisposeScope();
        if (inChannels <= 0 || outChannels <= 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), $"Channel counts must be positive, got {inChannels} → {outChannels}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        if (inChannels != outChannels)
        {
            _expand = nn.Conv2d(inChannels, outChannels, 1, bias: false);
            register_module("conv_expand", _expand);
        }
        _conv1 = nn.Conv2d(inChannels, outChannels, 3, padding: 1, bias: false);
        register_module("conv1", _conv1);
        _bn1 = nn.BatchNorm2d(outChannels);
        register_module("bn1", _bn1);
        _conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
        register_module("conv2", _conv2);
        _bn2 = nn.BatchNorm2d(outChannels);
        register_module("bn2", _bn2);
        ModuleOwnership.Claim(this);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.size(1) != InChannels)
            throw new ArgumentException($"The residual block expects [N, {InChannels}, H, W], got [{string.Join(", ", input.shape)}].", nameof(input));
        using var scope = torch.NewDisposeScope();
        var identity = _expand is null ? input : _expand.forward(input);
        var h = _bn1.forward(_conv1.forward(input)).leaky_relu(LeakySlope);
        h = _bn2.forward(_conv2.forward(h));
        return (h + identity).leaky_relu(LeakySlope).MoveToOuterDisposeScope();
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }
}
