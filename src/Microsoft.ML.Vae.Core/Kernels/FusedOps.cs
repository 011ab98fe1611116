using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Kernels;

/// <summary>
/// Fused CPU kernels for computations that PyTorch only offers as chains of whole-tensor ops, written in C#
/// over raw tensor memory with <see cref="System.Runtime.Intrinsics"/> vectors (512-bit where the hardware
/// has them, 256-bit otherwise) and parallel over rows on at most <c>torch.get_num_threads()</c> workers.
/// Each is one differentiable op (a TorchSharp custom autograd function) and has a documented generic
/// equivalent it is tested against. Results do not depend on the thread count.
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
            if (!FusedKernelSupport.IsFloat32Cpu(t)) return false;
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
    /// and computes its own gradients for z, the means, log-variances and log-weights (only those that
    /// require grad when the op is applied). A row with a non-finite coordinate gives NaN. Terms more than
    /// 60 nats below a row's largest contribute exactly 0. Higher-order gradients (a backward pass with
    /// create_graph) come from autograd of the generic formulation.
    /// </remarks>
    /// <param name="z">Latents [N, d].</param>
    /// <param name="means">Component means [K, d].</param>
    /// <param name="logVars">Component log-variances [K, d].</param>
    /// <param name="logWeights">Component log-weights [K] (need not be normalized).</param>
    /// <param name="withUsage">Also return the mean responsibilities.</param>
    /// <exception cref="ArgumentException">A tensor is not float32 on the CPU, or the shapes do not fit together.</exception>
    public static (Tensor LogSumExp, Tensor? MeanUsage) MixtureLogSumExp(Tensor z, Tensor means, Tensor logVars, Tensor logWeights, bool withUsage = false)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(logVars);
        ArgumentNullException.ThrowIfNull(logWeights);
        const string op = nameof(MixtureLogSumExp);
        CheckMixture(op, z, means, logVars, logWeights);
        using var scope = torch.NewDisposeScope();
        var need = MixtureFunctions.NeedsGrad(z, means, logVars, logWeights);
        var outputs = MixtureLogSumExpFunction.apply(z, means, logVars, logWeights, withUsage, need);
        var lse = outputs[0].MoveToOuterDisposeScope();
        return (lse, withUsage ? outputs[1].MoveToOuterDisposeScope() : null);
    }

    /// <summary>
    /// The mixture log-density of <see cref="MixtureLogSumExp"/> averaged over reparameterized samples of
    /// diagonal Gaussians: (1/M) Σ_m log p(postMean_b + exp(postLogVar_b / 2) ⊙ noise_mb) for every row b, [B]
    /// (the prior's half of a Monte-Carlo KL), and optionally the mean responsibilities over all B·M samples, [K].
    /// </summary>
    /// <remarks>
    /// One op instead of sampling, reshaping and averaging with tensor ops: the samples are formed and
    /// differentiated in the kernel, so their [M, B, d] intermediates carry no autograd graph. Differentiable
    /// in the posterior and the mixture; the noise is a constant. Without the usage output it is a single
    /// pass: the forward pass keeps each posterior's gradients (only those the graph will ask for: the
    /// inputs that require grad when the op is applied) and the backward pass multiplies them by the
    /// cotangents. Float32 CPU tensors only (<see cref="SupportsMixtureLogSumExp"/> on the posterior and the
    /// mixture, plus float32 CPU noise).
    /// </remarks>
    /// <param name="postMean">Posterior means [B, d].</param>
    /// <param name="postLogVar">Posterior log-variances [B, d].</param>
    /// <param name="noise">Standard-normal noise [M, B, d], or [M, 1, d] shared by every row.</param>
    /// <param name="means">Component means [K, d].</param>
    /// <param name="logVars">Component log-variances [K, d].</param>
    /// <param name="logWeights">Component log-weights [K].</param>
    /// <param name="withUsage">Also return the mean responsibilities.</param>
    /// <exception cref="ArgumentException">A tensor is not float32 on the CPU, or the shapes do not fit together.</exception>
    public static (Tensor MeanLogDensity, Tensor? MeanUsage) MixtureMonteCarloLogDensity(Tensor postMean, Tensor postLogVar, Tensor noise,
        Tensor means, Tensor logVars, Tensor logWeights, bool withUsage = false)
    {
        ArgumentNullException.ThrowIfNull(postMean);
        ArgumentNullException.ThrowIfNull(postLogVar);
        ArgumentNullException.ThrowIfNull(noise);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(logVars);
        ArgumentNullException.ThrowIfNull(logWeights);
        const string op = nameof(MixtureMonteCarloLogDensity);
        CheckMixture(op, postMean, means, logVars, logWeights);
        CheckMixture(op, postLogVar, means, logVars, logWeights);
        if (!postLogVar.shape.SequenceEqual(postMean.shape))
            throw new ArgumentException($"{op}: posterior means and log-variances must both be [B, d]; got {postMean.ShapeString()} and {postLogVar.ShapeString()}.", nameof(postLogVar));
        if (noise.IsInvalid) throw new ArgumentException($"{op}: the noise tensor is disposed.", nameof(noise));
        if (!FusedKernelSupport.IsFloat32Cpu(noise))
            throw new ArgumentException($"{op}: the fused kernel takes float32 CPU noise only; got {noise.dtype} on {noise.device}.", nameof(noise));
        long b = postMean.size(0), d = postMean.size(1);
        if (noise.dim() != 3 || noise.size(0) < 1 || (noise.size(1) != b && noise.size(1) != 1) || noise.size(2) != d)
            throw new ArgumentException($"{op}: noise must be [M, B, d] or [M, 1, d] with M >= 1, here [M, {b}, {d}] or [M, 1, {d}]; got {noise.ShapeString()}.", nameof(noise));
        if (b < 1) throw new ArgumentException($"{op}: no posteriors (B = 0).", nameof(postMean));

        using var scope = torch.NewDisposeScope();
        var need = MixtureFunctions.NeedsGrad(postMean, postLogVar, noise, means, logVars, logWeights);
        // The noise is a constant: its gradient is never computed.
        need[2] = false;
        if (!withUsage)
        {
            // Without the usage output every gradient comes out of the forward pass.
            var value = MixtureMonteCarloSinglePassFunction.apply(postMean, postLogVar, noise, means, logVars, logWeights, need);
            return (value.MoveToOuterDisposeScope(), null);
        }
        var outputs = MixtureMonteCarloFunction.apply(postMean, postLogVar, noise, means, logVars, logWeights, need);
        return (outputs[0].MoveToOuterDisposeScope(), outputs[1].MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Standard-normal noise for Monte-Carlo estimates, [sets, samples, batch, dim] float32 on the CPU, and the
    /// mean over samples of each noise vector's squared norm, (1/M) Σ_m Σ_j ε²: [sets, batch] (the noise's part
    /// of log q in a Monte-Carlo KL).
    /// </summary>
    /// <remarks>
    /// Several times faster than <c>torch.randn</c> on the CPU: a counter-based generator (SplitMix64 of the
    /// element pair's index, then Box–Muller) whose seed is drawn from torch's default generator, so
    /// <c>torch.manual_seed</c> governs it and the numbers do not depend on the thread count or the vector
    /// width. The values are those of a 24-bit uniform: nothing beyond 5.9σ (probability 4e−9).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public static (Tensor Noise, Tensor MeanSquaredNorm) MonteCarloNoise(long sets, long samples, long batch, long dim)
    {
        if (sets < 1 || samples < 1 || batch < 1 || dim < 1)
            throw new ArgumentOutOfRangeException(nameof(sets), $"Expected at least one set, sample, batch row and dimension; got [{sets}, {samples}, {batch}, {dim}].");
        return MonteCarloNoiseGenerator.Draw(sets, samples, batch, dim);
    }

    /// <summary>The checks of the fused kernel's inputs: latents (or posterior rows) [N, d] and a mixture [K, d], [K, d], [K], all float32 CPU.</summary>
    private static void CheckMixture(string op, Tensor z, Tensor means, Tensor logVars, Tensor logWeights)
    {
        foreach (var t in (ReadOnlySpan<Tensor>)[z, means, logVars, logWeights])
        {
            if (t.IsInvalid) throw new ArgumentException($"{op}: an input tensor is disposed.");
            if (t.device_type != DeviceType.CPU) throw new ArgumentException($"{op}: the fused kernel runs on the CPU only; got a tensor on {t.device}.");
            if (t.dtype != ScalarType.Float32) throw new ArgumentException($"{op}: the fused kernel takes float32 tensors only; got {t.dtype}.");
        }
        if (z.dim() != 2) throw new ArgumentException($"{op}: latents must be [N, d]; got {z.ShapeString()}.", nameof(z));
        if (means.dim() != 2 || !logVars.shape.SequenceEqual(means.shape))
            throw new ArgumentException($"{op}: means and log-variances must both be [K, d]; got {means.ShapeString()} and {logVars.ShapeString()}.", nameof(means));
        if (means.size(1) != z.size(1))
            throw new ArgumentException($"{op}: latents and components differ in dimension ({z.size(1)} and {means.size(1)}).", nameof(z));
        if (logWeights.dim() != 1 || logWeights.size(0) != means.size(0))
            throw new ArgumentException($"{op}: log-weights must be [K] = [{means.size(0)}]; got {logWeights.ShapeString()}.", nameof(logWeights));
        if (means.size(0) < 1) throw new ArgumentException($"{op}: the mixture has no components.", nameof(means));
        if (means.size(0) > int.MaxValue / 2 || means.size(1) > int.MaxValue / 2)
            throw new ArgumentException($"{op}: the mixture {means.ShapeString()} is too large for the fused kernel.", nameof(means));
    }
}
