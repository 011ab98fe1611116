using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// ResUp(f) of spec §4.2: [BN→ReLU→conv1×1(f) → BN→ReLU→convT3×3(f, stride 2)](x) +
/// [BN→ReLU→convT3×3(f, stride 2)](x); doubles the sides. Children "reduce", "upsample" (the residual
/// path) and "shortcut".
/// </summary>
public sealed class PreActResNetUpBlock : nn.Module<Tensor, Tensor>
{
    private readonly PreActResNetConv _reduce;
    private readonly PreActResNetConv _upsample;
    private readonly PreActResNetConv _shortcut;

    /// <summary>Creates the block from <paramref name="inChannels"/> to <paramref name="filters"/> channels.</summary>
    public PreActResNetUpBlock(int inChannels, int filters, double batchNormEps, double batchNormMomentum)
        : base(nameof(PreActResNetUpBlock))
    {
        _reduce = new PreActResNetConv(inChannels, filters, 1, 1, false, batchNormEps, batchNormMomentum);
        register_module("reduce", _reduce);
        _upsample = new PreActResNetConv(filters, filters, 3, 2, true, batchNormEps, batchNormMomentum);
        register_module("upsample", _upsample);
        _shortcut = new PreActResNetConv(inChannels, filters, 3, 2, true, batchNormEps, batchNormMomentum);
        register_module("shortcut", _shortcut);
    }

    /// <summary>Output channels.</summary>
    public int Filters => _upsample.OutChannels;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var reduced = _reduce.forward(input);
        using var residual = _upsample.forward(reduced);
        using var shortcut = _shortcut.forward(input);
        return residual + shortcut;
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }
}
