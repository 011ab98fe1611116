using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch;

/// <summary>
/// Fused native kernels for computations that PyTorch only offers as chains of whole-tensor ops. Each is
/// one differentiable op (first-order gradients) and has a documented generic equivalent it is tested against.
/// </summary>
public static class FusedOps
{
    /// <summary>
    /// True when <see cref="MixtureLogSumExp"/> runs for these tensors: all float32 on the CPU. Other
    /// dtypes and devices use the generic formulation.
    /// </summary>
    public static bool SupportsMixtureLogSumExp(Tensor z, Tensor means, Tensor logVars, Tensor logWeights)
    {
        foreach (var t in (ReadOnlySpan<Tensor>)[z, means, logVars, logWeights])
            if (t is null || t.DType != DType.Float32 || t.Device.Type != DeviceType.Cpu) return false;
        return true;
    }

    /// <summary>
    /// log Σ_k exp(logWeights_k) N(z_n; means_k, diag exp(logVars_k)) for every row of <paramref name="z"/>,
    /// without the −(d/2)·log 2π constant: [N]. With <paramref name="withUsage"/>, also the mean over rows
    /// of every component's responsibility r_nk = w_k N(z_n; ·) / Σ_j w_j N(z_n; ·): [K].
    /// </summary>
    /// <remarks>
    /// Equivalent to <c>logsumexp_k(logWeights_k − ½ Σ_j [logVars_kj + (z_nj − means_kj)² e^{−logVars_kj}])</c>
    /// but streams over the components of one row at a time instead of materializing the [N, K] matrix,
    /// and computes its own gradients for z, the means, log-variances and log-weights. A row with a
    /// non-finite coordinate gives NaN. Higher-order gradients (create_graph) are refused.
    /// </remarks>
    /// <param name="z">Latents [N, d].</param>
    /// <param name="means">Component means [K, d].</param>
    /// <param name="logVars">Component log-variances [K, d].</param>
    /// <param name="logWeights">Component log-weights [K] (need not be normalized).</param>
    /// <param name="withUsage">Also return the mean responsibilities.</param>
    public static (Tensor LogSumExp, Tensor? MeanUsage) MixtureLogSumExp(Tensor z, Tensor means, Tensor logVars, Tensor logWeights, bool withUsage = false)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(logVars);
        ArgumentNullException.ThrowIfNull(logWeights);
        int status = NativeMethods.vt_mixture_logsumexp(z.H, means.H, logVars.H, logWeights.H, withUsage ? 1 : 0, out var lse, out var usage);
        return Results(status, lse, usage, withUsage);
    }

    /// <summary>
    /// The mixture log-density of <see cref="MixtureLogSumExp"/> averaged over reparameterized samples of
    /// diagonal Gaussians: (1/M) Σ_m log p(postMean_b + exp(postLogVar_b / 2) ⊙ noise_mb) for every row b, [B]
    /// (the prior's half of a Monte-Carlo KL), and optionally the mean responsibilities over all B·M samples, [K].
    /// </summary>
    /// <remarks>
    /// One op instead of sampling, reshaping and averaging with tensor ops: the samples are formed and
    /// differentiated natively, so their [M, B, d] intermediates carry no autograd graph. Differentiable in
    /// the posterior and the mixture (first order); the noise is a constant. Float32 CPU tensors only
    /// (<see cref="SupportsMixtureLogSumExp"/> on the posterior and the mixture, plus float32 CPU noise).
    /// </remarks>
    /// <param name="postMean">Posterior means [B, d].</param>
    /// <param name="postLogVar">Posterior log-variances [B, d].</param>
    /// <param name="noise">Standard-normal noise [M, B, d], or [M, 1, d] shared by every row.</param>
    /// <param name="means">Component means [K, d].</param>
    /// <param name="logVars">Component log-variances [K, d].</param>
    /// <param name="logWeights">Component log-weights [K].</param>
    /// <param name="withUsage">Also return the mean responsibilities.</param>
    public static (Tensor MeanLogDensity, Tensor? MeanUsage) MixtureMonteCarloLogDensity(Tensor postMean, Tensor postLogVar, Tensor noise,
        Tensor means, Tensor logVars, Tensor logWeights, bool withUsage = false)
    {
        ArgumentNullException.ThrowIfNull(postMean);
        ArgumentNullException.ThrowIfNull(postLogVar);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(logVars);
        ArgumentNullException.ThrowIfNull(logWeights);
        int status = NativeMethods.vt_mixture_monte_carlo(postMean.H, postLogVar.H, noise.H, means.H, logVars.H, logWeights.H,
            withUsage ? 1 : 0, out var meanLse, out var usage);
        return Results(status, meanLse, usage, withUsage);
    }

    /// <summary>
    /// Standard-normal noise for Monte-Carlo estimates, [sets, samples, batch, dim] float32 on the CPU, and the
    /// mean over samples of each noise vector's squared norm, (1/M) Σ_m Σ_j ε²: [sets, batch] (the noise's part
    /// of log q in a Monte-Carlo KL).
    /// </summary>
    /// <remarks>
    /// Several times faster than <see cref="Torch.Randn"/> on the CPU: a counter-based generator (SplitMix64
    /// of the element pair's index, then Box–Muller) whose seed is drawn from libtorch's default generator, so
    /// <see cref="Torch.ManualSeed"/> governs it and the numbers do not depend on the thread count. The
    /// values are those of a 24-bit uniform: nothing beyond 5.9σ (probability 4e−9).
    /// </remarks>
    public static (Tensor Noise, Tensor MeanSquaredNorm) MonteCarloNoise(long sets, long samples, long batch, long dim)
    {
        if (sets < 1 || samples < 1 || batch < 1 || dim < 1)
            throw new ArgumentOutOfRangeException(nameof(sets), $"Expected at least one set, sample, batch row and dimension; got [{sets}, {samples}, {batch}, {dim}].");
        int status = NativeMethods.vt_monte_carlo_noise(sets, samples, batch, dim, out var noise, out var norms);
        var (first, second) = Results(status, noise, norms, hasSecond: true);
        return (first, second!);
    }

    private static (Tensor, Tensor?) Results(int status, TensorHandle first, TensorHandle second, bool hasSecond)
    {
        if (status != 0)
        {
            first.SetHandleAsInvalid();
            second.SetHandleAsInvalid();
            throw TorchException.FromLastError();
        }
        var result = new Tensor(first);
        if (!hasSecond)
        {
            second.SetHandleAsInvalid();
            return (result, null);
        }
        return (result, new Tensor(second));
    }
}
