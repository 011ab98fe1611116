namespace Microsoft.ML.Vae.Core.Networks;

using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

/// <summary>
/// ResDown(f) of spec §4.2: T(f, 2)(x) + [BN→ReLU→conv1×1(f, stride 2)](x); halves the sides ('same': ⌈n/2⌉).
/// Children "residual" and "shortcut".
/// </summary>
public sealed class PreActResNetDownBlock : Layer
{
    private readonly PreActResNetTripleConv _residual;
    private readonly PreActResNetConv _shortcut;

    /// <summary>Creates the block from <paramref name="inChannels"/> to <paramref name="filters"/> channels.</summary>
    public PreActResNetDownBlock(int inChannels, int filters, double batchNormEps, double batchNormMomentum)
    {
        _residual = RegisterModule("residual", new PreActResNetTripleConv(inChannels, filters, 2, batchNormEps, batchNormMomentum));
        _shortcut = RegisterModule("shortcut", new PreActResNetConv(inChannels, filters, 1, 2, false, batchNormEps, batchNormMomentum));
    }

    /// <summary>Output channels.</summary>
    public int Filters => _residual.Filters;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        using var residual = _residual.Forward(input);
        using var shortcut = _shortcut.Forward(input);
        return residual + shortcut;
    }
}
