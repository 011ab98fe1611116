namespace Microsoft.ML.Vae.Core.Networks;

using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

/// <summary>
/// ResUp(f) of spec §4.2: [BN→ReLU→conv1×1(f) → BN→ReLU→convT3×3(f, stride 2)](x) +
/// [BN→ReLU→convT3×3(f, stride 2)](x); doubles the sides. Children "reduce", "upsample" (the residual
/// path) and "shortcut".
/// </summary>
public sealed class PreActResNetUpBlock : Layer
{
    private readonly PreActResNetConv _reduce;
    private readonly PreActResNetConv _upsample;
    private readonly PreActResNetConv _shortcut;

    /// <summary>Creates the block from <paramref name="inChannels"/> to <paramref name="filters"/> channels.</summary>
    public PreActResNetUpBlock(int inChannels, int filters, double batchNormEps, double batchNormMomentum)
    {
        _reduce = RegisterModule("reduce", new PreActResNetConv(inChannels, filters, 1, 1, false, batchNormEps, batchNormMomentum));
        _upsample = RegisterModule("upsample", new PreActResNetConv(filters, filters, 3, 2, true, batchNormEps, batchNormMomentum));
        _shortcut = RegisterModule("shortcut", new PreActResNetConv(inChannels, filters, 3, 2, true, batchNormEps, batchNormMomentum));
    }

    /// <summary>Output channels.</summary>
    public int Filters => _upsample.OutChannels;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        using var reduced = _reduce.Forward(input);
        using var residual = _upsample.Forward(reduced);
        using var shortcut = _shortcut.Forward(input);
        return residual + shortcut;
    }
}
