using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// ResDown(f) of spec §4.2: T(f, 2)(x) + [BN→ReLU→conv1×1(f, stride 2)](x); halves the sides ('same': ⌈n/2⌉).
/// Children "residual" and "shortcut".
/// </summary>
public sealed class PreActResNetDownBlock : nn.Module<Tensor, Tensor>
{
    private readonly PreActResNetTripleConv _residual;
    private readonly PreActResNetConv _shortcut;

    /// <summary>Creates the block from <paramref name="inChannels"/> to <paramref name="filters"/> channels.</summary>
    public PreActResNetDownBlock(int inChannels, int filters, double batchNormEps, double batchNormMomentum)
        : base(nameof(PreActResNetDownBlock))
    {
        _residual = new PreActResNetTripleConv(inChannels, filters, 2, batchNormEps, batchNormMomentum);
        register_module("residual", _residual);
        _shortcut = new PreActResNetConv(inChannels, filters, 1, 2, false, batchNormEps, batchNormMomentum);
        register_module("shortcut", _shortcut);
    }

    /// <summary>Output channels.</summary>
    public int Filters => _residual.Filters;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var residual = _residual.forward(input);
        using var shortcut = _shortcut.forward(input);
        return residual + shortcut;
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }
}
