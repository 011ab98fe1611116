using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// The effective parameters of a diagonal-Gaussian mixture p(z) = Σ_k w_k N(z; μ_k, diag e^{lv_k}):
/// means [K, d], log-variances [K, d] (after any variance clipping) and log-weights [K]
/// (log-softmax of the logits). The tensors belong to the caller's dispose scope; they may carry
/// an autograd graph back to the prior's parameters.
/// </summary>
/// <param name="Means">Component means μ_k, [K, d].</param>
/// <param name="LogVars">Component log-variances lv_k, [K, d].</param>
/// <param name="LogWeights">Log mixture weights log w_k, [K].</param>
public sealed record MixturePriorParameters(Tensor Means, Tensor LogVars, Tensor LogWeights)
{
    /// <summary>Number of components K.</summary>
    public long Components => Means.size(0);

    /// <summary>Latent dimension d.</summary>
    public long LatentDim => Means.size(1);

    /// <summary>The same values without autograd history (a stop-gradient copy of the target prior).</summary>
    public MixturePriorParameters Detach() => new(Means.detach(), LogVars.detach(), LogWeights.detach());

    /// <summary>Throws <see cref="ArgumentException"/> unless the shapes are [K, d], [K, d] and [K].</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Means);
        ArgumentNullException.ThrowIfNull(LogVars);
        ArgumentNullException.ThrowIfNull(LogWeights);
        if (Means.dim() != 2 || !Means.shape.SequenceEqual(LogVars.shape) || LogWeights.dim() != 1 || LogWeights.size(0) != Means.size(0))
            throw new ArgumentException(
                $"Mixture parameters must be means [K, d], log-variances [K, d] and log-weights [K]; got {Means.ShapeString()}, " +
                $"{LogVars.ShapeString()} and {LogWeights.ShapeString()}.");
    }
}
