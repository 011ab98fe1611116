namespace Microsoft.ML.Vae.Core.Priors;

using Microsoft.ML.Vae.Torch;

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
    public long Components => Means.Size(0);

    /// <summary>Latent dimension d.</summary>
    public long LatentDim => Means.Size(1);

    /// <summary>The same values without autograd history (a stop-gradient copy of the target prior).</summary>
    public MixturePriorParameters Detach() => new(Means.Detach(), LogVars.Detach(), LogWeights.Detach());

    /// <summary>Throws <see cref="ArgumentException"/> unless the shapes are [K, d], [K, d] and [K].</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Means);
        ArgumentNullException.ThrowIfNull(LogVars);
        ArgumentNullException.ThrowIfNull(LogWeights);
        if (Means.Dim != 2 || !Means.Shape.SequenceEqual(LogVars.Shape) || LogWeights.Dim != 1 || LogWeights.Size(0) != Means.Size(0))
            throw new ArgumentException(
                $"Mixture parameters must be means [K, d], log-variances [K, d] and log-weights [K]; got [{string.Join(", ", Means.Shape)}], " +
                $"[{string.Join(", ", LogVars.Shape)}] and [{string.Join(", ", LogWeights.Shape)}].");
    }
}
