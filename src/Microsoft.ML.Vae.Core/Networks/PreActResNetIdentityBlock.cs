namespace Microsoft.ML.Vae.Core.Networks;

using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

/// <summary>ResId(f) of spec §4.2: x + T(f, 1)(x); keeps channels and size. Child "residual".</summary>
public sealed class PreActResNetIdentityBlock : Layer
{
    private readonly PreActResNetTripleConv _residual;

    /// <summary>Creates the block for <paramref name="filters"/> channels in and out.</summary>
    public PreActResNetIdentityBlock(int filters, double batchNormEps, double batchNormMomentum)
    {
        _residual = RegisterModule("residual", new PreActResNetTripleConv(filters, filters, 1, batchNormEps, batchNormMomentum));
    }

    /// <summary>Channels in and out.</summary>
    public int Filters => _residual.Filters;

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        using var residual = _residual.Forward(input);
        return input + residual;
    }
}
