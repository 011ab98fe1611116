using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Priors;

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
        using var scope = torch.NewDisposeScope();
        return JointTransposed(z, prior, includeWeights: false, includeConstant).t().contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>log w_k + log N(z_n; μ_k, σ_k²): the joint log-probabilities of sample and component, [N, K].</summary>
    public static Tensor JointLogProbabilities(Tensor z, MixturePriorParameters prior, bool includeConstant = true)
    {
        using var scope = torch.NewDisposeScope();
        return JointTransposed(z, prior, includeWeights: true, includeConstant).t().contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>log p(z_n) = logsumexp_k(log w_k + log N(z_n; μ_k, σ_k²)): [N].</summary>
    public static Tensor LogDensity(Tensor z, MixturePriorParameters prior, bool includeConstant = true)
    {
        using var scope = torch.NewDisposeScope();
        CheckLatents(z, prior);
        if (CanFuse(z, prior))
        {
            var logDensity = FusedOps.MixtureLogSumExp(z, prior.Means, prior.LogVars, prior.LogWeights).LogSumExp;
            if (includeConstant) logDensity = logDensity - 0.5 * prior.LatentDim * DiagonalGaussian.Log2Pi;
            return logDensity.MoveToOuterDisposeScope();
        }
        return JointTransposed(z, prior, includeWeights: true, includeConstant).logsumexp(0).MoveToOuterDisposeScope();
    }

    /// <summary>Responsibilities r_k(z_n) = w_k N(z_n; μ_k, σ_k²) / Σ_j w_j N(z_n; μ_j, σ_j²): [N, K], rows sum to 1.</summary>
    public static Tensor Responsibilities(Tensor z, MixturePriorParameters prior)
    {
        using var scope = torch.NewDisposeScope();
        return JointTransposed(z, prior, includeWeights: true, includeConstant: false).softmax(0).t().contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The joint (or, without weights, component) log-probabilities TRANSPOSED, [K, N], in z's dtype:
    /// differentiable in z and the prior; reduce over dimension 0 for per-sample results.
    /// </summary>
    internal static Tensor JointTransposed(Tensor z, MixturePriorParameters prior, bool includeWeights, bool includeConstant)
    {
        CheckLatents(z, prior);
        long n = z.size(0), d = prior.LatentDim;
        using var scope = torch.NewDisposeScope();
        var z64 = z.to_type(ScalarType.Float64);
        var means = prior.Means.to_type(ScalarType.Float64);
        var logVars = prior.LogVars.to_type(ScalarType.Float64);
        var inverseVar = logVars.neg().exp();                                                  // [K, d]
        var bias = ((means.square() * inverseVar).sum(1) + logVars.sum(1)) * -0.5;             // [K]
        if (includeWeights) bias = bias + prior.LogWeights.to_type(ScalarType.Float64);
        if (includeConstant) bias = bias - 0.5 * d * DiagonalGaussian.Log2Pi;
        var features = torch.cat(new[] { z64.square(), z64, torch.ones(new[] { n, 1L }, ScalarType.Float64, z.device) }, 1);   // [N, 2d+1]
        var coefficients = torch.cat(new[] { inverseVar * -0.5, means * inverseVar, bias.unsqueeze(1) }, 1);                   // [K, 2d+1]
        var joint = torch.mm(coefficients, features.t());                                      // [K, N]
        return (z.dtype == ScalarType.Float64 ? joint : joint.to_type(z.dtype)).MoveToOuterDisposeScope();
    }

    private static void CheckLatents(Tensor z, MixturePriorParameters prior)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(prior);
        prior.Validate();
        if (z.dim() != 2 || z.size(1) != prior.LatentDim)
            throw new ArgumentException($"Expected latents [N, {prior.LatentDim}], got {z.ShapeString()}.", nameof(z));
    }
}
