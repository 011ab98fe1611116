using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// Monte-Carlo KL(q(z|x) ‖ p) for a diagonal-Gaussian posterior and a mixture prior (algorithms spec
/// §3.2): KL ≈ (1/M) Σ_m [log q(z_m|x) − log Σ_k w_k N(z_m; μ_k, σ_k²)], z_m = μ_q + σ_q ⊙ ε_m.
/// For float32 CPU tensors the mixture term is one fused op over all B·M samples
/// (<see cref="FusedOps.MixtureMonteCarloLogDensity"/>); otherwise all B·M·K log-density terms come from one
/// batched matrix product followed by one logsumexp (see <see cref="MixturePriorDensity"/>).
/// </summary>
/// <remarks>
/// Both log-densities omit the −(d/2)·log 2π constant, which cancels. log q(z_m|x) is evaluated as
/// −½ Σ_j (lv_j + ε_mj²), algebraically (and in its gradients) equal to the reference's
/// −½ Σ_j [lv_j + (z_mj − μ_j)² e^{−lv_j}] because z − μ = σ ε, but cheaper and free of cancellation.
/// A null prior means N(0, I), where log p(z) = −½‖z‖².
/// </remarks>
public static class MixturePriorKl
{
    /// <summary>Samples per posterior used by the reference code (100).</summary>
    public const int DefaultSamples = 100;

    /// <summary>Draws the standard-normal noise [M, B, d] for <see cref="Estimate"/>, in the posterior's dtype and device.</summary>
    public static Tensor DrawNoise(Tensor mean, int samples) => DrawKlNoise(mean, samples).Samples;

    /// <summary><see cref="DrawNoise"/> with the noise's mean squared norm per row (see <see cref="KlNoise"/>).</summary>
    public static KlNoise DrawKlNoise(Tensor mean, int samples)
    {
        ArgumentNullException.ThrowIfNull(mean);
        if (mean.dim() != 2) throw new ArgumentException($"Expected posterior means [B, d], got {mean.ShapeString()}.", nameof(mean));
        return KlNoise.Draw(1, samples, mean.size(0), mean.size(1), mean.dtype, mean.device)[0];
    }

    /// <summary>
    /// The per-sample KL estimate [B] and, when <paramref name="withUsage"/>, the mean responsibility of
    /// every component over the B·M samples [K] (for the responsibility regularizer, spec §3.5).
    /// </summary>
    /// <param name="mean">Posterior means [B, d].</param>
    /// <param name="logVar">Posterior log-variances [B, d].</param>
    /// <param name="prior">The mixture, or null for N(0, I).</param>
    /// <param name="noise">Standard-normal noise [M, B, d] (broadcastable, e.g. [M, 1, d] to share noise across rows).</param>
    /// <param name="withUsage">Also return the mean responsibilities (requires a mixture).</param>
    public static MixtureKlEstimate Estimate(Tensor mean, Tensor logVar, MixturePriorParameters? prior, Tensor noise, bool withUsage = false) =>
        Estimate(mean, logVar, prior, new KlNoise(noise), withUsage);

    /// <summary><see cref="Estimate(Tensor, Tensor, MixturePriorParameters?, Tensor, bool)"/> with the noise's mean squared norm when known.</summary>
    public static MixtureKlEstimate Estimate(Tensor mean, Tensor logVar, MixturePriorParameters? prior, KlNoise klNoise, bool withUsage = false)
    {
        ArgumentNullException.ThrowIfNull(klNoise);
        var noise = klNoise.Samples;
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(logVar);
        ArgumentNullException.ThrowIfNull(noise);
        if (mean.dim() != 2 || !mean.shape.SequenceEqual(logVar.shape))
            throw new ArgumentException($"Expected posterior means and log-variances [B, d] of equal shape, got {mean.ShapeString()} and {logVar.ShapeString()}.");
        long b = mean.size(0), d = mean.size(1);
        if (noise.dim() != 3 || (noise.size(1) != b && noise.size(1) != 1) || noise.size(2) != d)
            throw new ArgumentException($"Expected noise [M, {b}, {d}] (or [M, 1, {d}]), got {noise.ShapeString()}.", nameof(noise));
        if (klNoise.MeanSquaredNorm is { } norms && (norms.dim() != 1 || norms.size(0) != b))
            throw new ArgumentException($"Expected the noise's mean squared norms [{b}], got {norms.ShapeString()}.", nameof(klNoise));
        if (prior is not null && prior.LatentDim != d)
            throw new ArgumentException($"The prior has latent dimension {prior.LatentDim} but the posterior has {d}.", nameof(prior));
        if (withUsage && prior is null)
            throw new ArgumentException("Component usage needs a mixture prior.", nameof(withUsage));

        long m = noise.size(0);
        using var scope = torch.NewDisposeScope();
        if (prior is not null && MixturePriorDensity.CanFuse(mean, prior) && FusedOps.SupportsMixtureLogSumExp(logVar, noise, prior.LogVars, prior.LogWeights))
        {
            // The fused kernel forms the B·M samples itself; log q averaged over the samples is
            // −½ (Σ_j lv_j + mean_m Σ_j ε_mj²) (the noise is a constant).
            var (meanLogP, meanUsage) = FusedOps.MixtureMonteCarloLogDensity(mean, logVar, noise, prior.Means, prior.LogVars, prior.LogWeights, withUsage);
            var meanLogQ = (logVar.sum(1) + klNoise.MeanSquaredNormFor(b)) * -0.5;
            return new MixtureKlEstimate((meanLogQ - meanLogP).MoveToOuterDisposeScope(), meanUsage?.MoveToOuterDisposeScope());
        }
        var eps = noise.size(1) == b ? noise : noise.expand(new[] { m, b, d });
        var z = mean.unsqueeze(0) + (logVar * 0.5).exp().unsqueeze(0) * eps;      // [M, B, d]
        var logQ = (logVar.unsqueeze(0) + eps.square()).sum(2) * -0.5;              // [M, B]
        var flat = z.reshape(m * b, d);
        Tensor logP;
        Tensor? usage = null;
        if (prior is null)
        {
            logP = flat.square().sum(1) * -0.5;
        }
        else
        {
            // [K, M·B]: one matrix product, one logsumexp over the components (see MixturePriorDensity).
            var joint = MixturePriorDensity.JointTransposed(flat, prior, includeWeights: true, includeConstant: false);
            var norm = joint.logsumexp(0, keepdim: true);
            logP = norm.squeeze(0);
            if (withUsage) usage = (joint - norm).exp().mean(new long[] { 1 });
        }
        var kl = (logQ - logP.reshape(m, b)).mean(new long[] { 0 });
        return new MixtureKlEstimate(kl.MoveToOuterDisposeScope(), usage?.MoveToOuterDisposeScope());
    }

    /// <summary><see cref="Estimate"/> with freshly drawn noise of <paramref name="samples"/> samples.</summary>
    public static Tensor PerSample(Tensor mean, Tensor logVar, MixturePriorParameters? prior, int samples = DefaultSamples)
    {
        using var scope = torch.NewDisposeScope();
        return Estimate(mean, logVar, prior, DrawKlNoise(mean, samples)).PerSample.MoveToOuterDisposeScope();
    }
}

/// <summary>Result of <see cref="MixturePriorKl.Estimate"/>.</summary>
/// <param name="PerSample">KL estimate per posterior, [B].</param>
/// <param name="MeanUsage">Mean responsibility of each component over all samples, [K], or null.</param>
public sealed record MixtureKlEstimate(Tensor PerSample, Tensor? MeanUsage);
