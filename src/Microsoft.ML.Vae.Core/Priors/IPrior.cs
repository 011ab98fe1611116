using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Priors;

/// <summary>A prior p(z) over the latent (representation) space.</summary>
public interface IPrior
{
    /// <summary>Latent dimension d.</summary>
    int LatentDim { get; }

    /// <summary>Exact log p(z) per row of z [N, d], normalizing constants included: [N].</summary>
    Tensor LogProb(Tensor z);

    /// <summary>n samples z ~ p(z): [n, d] on the prior's device.</summary>
    Tensor Sample(long n);
}

/// <summary>
/// A prior defined by a bijection g from representation space z to a generation space z0 where
/// the density is N(0, I) (the decoupled prior of dpVAE; the identity for a standard normal).
/// </summary>
public interface IGenerationSpacePrior : IPrior
{
    /// <summary>z0 = g(z) and log|det ∂g/∂z| per row ([N]).</summary>
    (Tensor Z0, Tensor LogDet) ToGenerationSpace(Tensor z);

    /// <summary>z = g⁻¹(z0).</summary>
    Tensor FromGenerationSpace(Tensor z0);
}
