namespace Microsoft.ML.Vae.Core.Priors;

using Microsoft.ML.Vae.Torch;

/// <summary>
/// Log-densities of latents under every component of a diagonal-Gaussian mixture, for all
/// (sample, component) pairs in one batched computation — no loop over components.
/// </summary>
/// <remarks>
/// Small problems use the direct broadcast Σ_j (z_j − μ_kj)² e^{−lv_kj} over an [N, K, d] tensor.
/// When N·K·d exceeds <see cref="DirectElementLimit"/> the same quadratic form is expanded into
/// matrix products, z²·(e^{−lv})ᵀ − 2z·(μe^{−lv})ᵀ + Σ_j μ²e^{−lv}, which needs only [N, K] memory
/// (high-dimensional latents with many components and Monte-Carlo samples would otherwise need
/// gigabytes, with autograd keeping several such tensors).
/// </remarks>
public static class MixturePriorDensity
{
    /// <summary>Largest N·K·d evaluated with the direct broadcast form (16M elements).</summary>
    public const long DirectElementLimit = 1L << 24;

    /// <summary>
    /// log N(z_n; μ_k, diag e^{lv_k}) summed over the d coordinates: [N, K]. With
    /// <paramref name="includeConstant"/> false the −(d/2)·log 2π term is left out (it cancels in KL
    /// estimates, as in the reference code).
    /// </summary>
    public static Tensor ComponentLogDensities(Tensor z, MixturePriorParameters prior, bool includeConstant = true) =>
        ComponentLogDensities(z, prior, includeConstant, DirectElementLimit);

    /// <summary><see cref="ComponentLogDensities(Tensor, MixturePriorParameters, bool)"/> with an explicit switch-over size (tests use it to reach both forms).</summary>
    internal static Tensor ComponentLogDensities(Tensor z, MixturePriorParameters prior, bool includeConstant, long directElementLimit)
    {
        CheckLatents(z, prior);
        long n = z.Size(0), k = prior.Components, d = prior.LatentDim;
        using var scope = Torch.NewDisposeScope();
        var inverseVar = prior.LogVars.Neg().Exp();
        Tensor quadratic;
        if (n * k * d <= directElementLimit)
        {
            var diff = z.Unsqueeze(1) - prior.Means.Unsqueeze(0);
            quadratic = (diff.Square() * inverseVar.Unsqueeze(0)).Sum(2);
        }
        else
        {
            var scaledMeans = prior.Means * inverseVar;
            var constant = (prior.Means * scaledMeans).Sum(1);
            quadratic = Torch.Mm(z.Square(), inverseVar.T) - 2.0 * Torch.Mm(z, scaledMeans.T) + constant.Unsqueeze(0);
        }
        var logDet = prior.LogVars.Sum(1).Unsqueeze(0);
        var result = (quadratic + logDet) * -0.5;
        if (includeConstant) result = result - 0.5 * d * DiagonalGaussian.Log2Pi;
        return result.MoveToOuterScope();
    }

    /// <summary>log w_k + log N(z_n; μ_k, σ_k²): the joint log-probabilities of sample and component, [N, K].</summary>
    public static Tensor JointLogProbabilities(Tensor z, MixturePriorParameters prior, bool includeConstant = true)
    {
        using var scope = Torch.NewDisposeScope();
        var joint = ComponentLogDensities(z, prior, includeConstant) + prior.LogWeights.Unsqueeze(0);
        return joint.MoveToOuterScope();
    }

    /// <summary>log p(z_n) = logsumexp_k(log w_k + log N(z_n; μ_k, σ_k²)): [N].</summary>
    public static Tensor LogDensity(Tensor z, MixturePriorParameters prior, bool includeConstant = true)
    {
        using var scope = Torch.NewDisposeScope();
        return JointLogProbabilities(z, prior, includeConstant).LogSumExp(1).MoveToOuterScope();
    }

    /// <summary>Responsibilities r_k(z_n) = w_k N(z_n; μ_k, σ_k²) / Σ_j w_j N(z_n; μ_j, σ_j²): [N, K], rows sum to 1.</summary>
    public static Tensor Responsibilities(Tensor z, MixturePriorParameters prior)
    {
        using var scope = Torch.NewDisposeScope();
        return JointLogProbabilities(z, prior, includeConstant: false).Softmax(1).MoveToOuterScope();
    }

    private static void CheckLatents(Tensor z, MixturePriorParameters prior)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(prior);
        prior.Validate();
        if (z.Dim != 2 || z.Size(1) != prior.LatentDim)
            throw new ArgumentException($"Expected latents [N, {prior.LatentDim}], got [{string.Join(", ", z.Shape)}].", nameof(z));
    }
}
