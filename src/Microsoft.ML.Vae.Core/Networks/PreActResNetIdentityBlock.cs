using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>ResId(f) of spec §4.2: x + T(f, 1)(x); keeps channels and size. Child "residual".</summary>
public sealed class PreActResNetIdentityBlock : nn.Module<Tensor, Tensor>
{
    private readonly PreActResNetTripleConv _residual;

    /// <summary>Creates the block for <paramref name="filters"/> channels in and out.</summary>
    public PreActResNetIdentityBlock(int filters, double batchNormEps, double batchNormMomentum)
        : base(nameof(PreActResNetIdentityBlock))
    {
        _residual = new PreActResNetTripleConv(filters, filters, 1, batchNormEps, batchNormMomentum);
        register_module("residual", _residual);
    }

    /// <summary>Channels in and out.</summary>
    public int Filters => _residual.Filters;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        using var residual = _residual.forward(input);
        return input + residual;
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }
}
