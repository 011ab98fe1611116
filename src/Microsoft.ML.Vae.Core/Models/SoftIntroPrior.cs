using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// The <see cref="IPrior"/> of a <see cref="SoftIntroVae"/> with a learned prior: a live view of the
/// model's current prior (the encoded VampPrior pseudo-inputs before conversion, then the clipped mixture).
/// </summary>
public sealed class SoftIntroPrior : IPrior
{
    private readonly SoftIntroVae _model;

    /// <summary>Creates the view over <paramref name="model"/>.</summary>
    public SoftIntroPrior(SoftIntroVae model) => _model = model ?? throw new ArgumentNullException(nameof(model));

    /// <inheritdoc />
    public int LatentDim => _model.LatentDim;

    /// <summary>The mixture parameters in effect (never null for a learned prior).</summary>
    public MixturePriorParameters Parameters() =>
        _model.CurrentPriorParameters() ?? throw new InvalidOperationException("The model has the standard prior.");

    /// <summary>Exact log p(z) per row of z [N, d], constants included: [N].</summary>
    public Tensor LogProb(Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        return MixturePriorDensity.LogDensity(z, Parameters(), includeConstant: true).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Sample(long n) => _model.SamplePriorLatents(n);
}
