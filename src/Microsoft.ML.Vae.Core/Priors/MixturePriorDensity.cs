namespace Microsoft.ML.Vae.Core.Priors;

using Microsoft.ML.Vae.Torch;

/// <summary>
/// Log-densities of latents under every component of a diagonal-Gaussian mixture, for all
/// (sample, component) pairs in one batched computation — no loop over components.
/// </summary>
/// <remarks>
/// The quadratic form is expanded so that the whole [N, K] matrix of joint log-probabilities is one
/// matrix product of per-sample features [z², z, 1] ([N, 2d+1]) with per-component coefficients
/// [−½e^{−lv}, μe^{−lv}, −½Σ(μ²e^{−lv} + lv) + log w] ([K, 2d+1]). Compared with broadcasting an
/// [N, K, d] difference tensor this touches the large [N, K] data a few times instead of a dozen
/// (forward and backward) and never allocates N·K·d elements, which for image latents with 100
/// components and 100 Monte-Carlo samples would be gigabytes. The product is evaluated in float64
/// because the expansion subtracts terms of size z²e^{−lv} that are large when variances are small;
/// in double precision the cancellation costs nothing measurable. The product is formed as [K, N]
/// (coefficients × featuresᵀ), the orientation BLAS handles fastest for the tiny inner dimension, and
/// converted back to z's dtype before any reduction.
/// <para>Per-sample log-densities of float32 CPU latents go through
/// <see cref="FusedOps.MixtureLogSumExp"/> instead (and the Monte-Carlo KL through
/// <see cref="FusedOps.MixtureMonteCarloLogDensity"/>), which streams over the components of one row at a
/// time and never forms the [N, K] matrix; the formulation above serves every other dtype and device.</para>
/// </remarks>
public static class MixturePriorDensity
{
    /// <summary>
    /// Whether per-sample log-densities use the fused kernel where it applies (float32 CPU tensors).
    /// Default true; false forces the generic tensor formulation everywhere (for comparisons).
    /// </summary>
    public static bool UseFusedKernel { get; set; } = true;

    /// <summary>True when the fused kernel will run for these latents and this prior.</summary>
    internal static bool CanFuse(Tensor z, MixturePriorParameters prior) =>
        UseFusedKernel && FusedOps.SupportsMixtureLogSumExp(z, prior.Means, prior.LogVars, prior.LogWeights);

    /// <summary>
    /// log N(z_n; μ_k, diag e^{lv_k}) summed over the d coordinates: [N, K]. With
    /// <paramref name="includeConstant"/> false the −(d/2)·log 2π term is left out (it cancels in KL
    /// estimates, as in the reference code).
    /// </summary>
    public static Tensor ComponentLogDensities(Tensor z, MixturePriorParameters prior, bool includeConstant = true)
    {
        using var scope = Torch.NewDisposeScope();
        return JointTransposed(z, prior, includeWeights: false, includeConstant).T.Contiguous().MoveToOuterScope();
    }

    /// <summary>log w_k + log N(z_n; μ_k, σ_k²): the joint log-probabilities of sample and component, [N, K].</summary>
    public static Tensor JointLogProbabilities(Tensor z, MixturePriorParameters prior, bool includeConstant = true)
    {
        using var scope = Torch.NewDisposeScope();
        return JointTransposed(z, prior, includeWeights: true, includeConstant).T.Contiguous().MoveToOuterScope();
    }

    /// <summary>log p(z_n) = logsumexp_k(log w_k + log N(z_n; μ_k, σ_k²)): [N].</summary>
    public static Tensor LogDensity(Tensor z, MixturePriorParameters prior, bool includeConstant = true)
    {
        using var scope = Torch.NewDisposeScope();
        CheckLatents(z, prior);
        if (CanFuse(z, prior))
        {
            var logDensity = FusedOps.MixtureLogSumExp(z, prior.Means, prior.LogVars, prior.LogWeights).LogSumExp;
            if (includeConstant) logDensity = logDensity - 0.5 * prior.LatentDim * DiagonalGaussian.Log2Pi;
            return logDensity.MoveToOuterScope();
        }
        return JointTransposed(z, prior, includeWeights: true, includeConstant).LogSumExp(0).MoveToOuterScope();
    }

    /// <summary>Responsibilities r_k(z_n) = w_k N(z_n; μ_k, σ_k²) / Σ_j w_j N(z_n; μ_j, σ_j²): [N, K], rows sum to 1.</summary>
    public static Tensor Responsibilities(Tensor z, MixturePriorParameters prior)
    {
        using var scope = Torch.NewDisposeScope();
        return JointTransposed(z, prior, includeWeights: true, includeConstant: false).Softmax(0).T.Contiguous().MoveToOuterScope();
    }

    /// <summary>
    /// The joint (or, without weights, component) log-probabilities TRANSPOSED, [K, N], in z's dtype:
    /// differentiable in z and the prior; reduce over dimension 0 for per-sample results.
    /// </summary>
    internal static Tensor JointTransposed(Tensor z, MixturePriorParameters prior, bool includeWeights, bool includeConstant)
    {
        CheckLatents(z, prior);
        long n = z.Size(0), d = prior.LatentDim;
        using var scope = Torch.NewDisposeScope();
        var z64 = z.To(DType.Float64);
        var means = prior.Means.To(DType.Float64);
        var logVars = prior.LogVars.To(DType.Float64);
        var inverseVar = logVars.Neg().Exp();                                                  // [K, d]
        var bias = ((means.Square() * inverseVar).Sum(1) + logVars.Sum(1)) * -0.5;             // [K]
        if (includeWeights) bias = bias + prior.LogWeights.To(DType.Float64);
        if (includeConstant) bias = bias - 0.5 * d * DiagonalGaussian.Log2Pi;
        var features = Torch.Cat([z64.Square(), z64, Torch.Ones([n, 1], DType.Float64, z.Device)], 1);   // [N, 2d+1]
        var coefficients = Torch.Cat([inverseVar * -0.5, means * inverseVar, bias.Unsqueeze(1)], 1);       // [K, 2d+1]
        var joint = Torch.Mm(coefficients, features.T);                                        // [K, N]
        return (z.DType == DType.Float64 ? joint : joint.To(z.DType)).MoveToOuterScope();
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
