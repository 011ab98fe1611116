using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// The dpVAE leakage score: how much aggregate-posterior mass sits where the prior (and so the
/// generator) almost never samples. For M aggregate-posterior samples zᵢ, ℓ_p = log p(zᵢ) and
/// ℓ_q = log (1/N) Σₙ N(zᵢ; μₙ, diag σ²ₙ) over N stored encodings; for each threshold τ,
/// Leak(τ) = mean over S_τ of (ℓ_q − ℓ_p), 0 when S_τ is empty.
/// </summary>
/// <remarks>
/// The intended math is used: a correctly normalized diagonal-Gaussian mixture for ℓ_q and, by
/// default, the model prior's exact log-density (flow Jacobian included) for ℓ_p. The dpVAE code's
/// choice of ℓ_p without the Jacobian is available through
/// <see cref="LeakageOptions.PriorDensityInGenerationSpaceWithoutJacobian"/>; its Gaussian-density
/// helper (variance in place of precision, ½log(2π·det)) is not reproduced. Higher is worse.
/// </remarks>
public static class LeakageScore
{
    /// <summary>Computes the leakage curve of <paramref name="model"/> on <paramref name="data"/>.</summary>
    /// <param name="model">The model (put in evaluation mode).</param>
    /// <param name="data">Data [N, ..SampleShape] (typically validation images).</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="seed">Seed of every random draw; the CPU generator's state is restored afterwards (CUDA generators stay reseeded).</param>
    public static LeakageResult Compute(IVaeModel model, Tensor data, LeakageOptions? options = null, long seed = 0)
    {
        EvaluationData.Validate(model, data);
        options ??= new LeakageOptions();
        EvaluationData.RequirePositive(options.Samples, nameof(options.Samples));
        EvaluationData.RequirePositive(options.Encodings, nameof(options.Encodings));
        EvaluationData.RequirePositive(options.BatchSize, nameof(options.BatchSize));
        ValidateThresholds(options.Thresholds);

        using var run = SeededEvaluationScope.Enter(model, seed);
        using var scope = torch.NewDisposeScope();
        var (means, logVars) = EvaluationData.EncodeRandomRows(model, data, options.Encodings, options.BatchSize);
        using var aggregate = new AggregatePosterior(means, logVars);
        // Samples come from the same stored mixture whose density is evaluated: with sharp posteriors,
        // samples from other data rows would find no nearby component and give meaningless ℓ_q.
        var z = aggregate.Sample(options.Samples).to(data.dtype);
        var logPrior = PriorLogDensity(model.Prior, z, options.PriorDensityInGenerationSpaceWithoutJacobian, options.BatchSize);
        var logPosterior = aggregate.LogDensity(z);
        return FromLogDensities(logPrior.cpu().data<double>().ToArray(), logPosterior.cpu().data<double>().ToArray(), options.Thresholds, options.ThresholdMode);
    }

    /// <summary>
    /// The leakage curve from per-sample log-densities: for each τ, the samples S_τ selected by
    /// <paramref name="mode"/>, their count and the mean of ℓ_q − ℓ_p over them (0 when empty).
    /// </summary>
    /// <param name="logPrior">ℓ_p per sample.</param>
    /// <param name="logAggregatePosterior">ℓ_q per sample (same length).</param>
    /// <param name="thresholds">Thresholds τ (none NaN).</param>
    /// <param name="mode">Which samples a threshold selects.</param>
    public static LeakageResult FromLogDensities(ReadOnlySpan<double> logPrior, ReadOnlySpan<double> logAggregatePosterior,
        IReadOnlyList<double> thresholds, LeakageThresholdMode mode = LeakageThresholdMode.PriorLogDensityBelow)
    {
        if (logPrior.Length != logAggregatePosterior.Length)
            throw new ArgumentException(
                $"{logPrior.Length} prior log-densities but {logAggregatePosterior.Length} aggregate-posterior log-densities; they must pair up.",
                nameof(logAggregatePosterior));
        ValidateThresholds(thresholds);
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown threshold mode.");

        var points = new LeakagePoint[thresholds.Count];
        for (int t = 0; t < thresholds.Count; t++)
        {
            double tau = thresholds[t];
            double sum = 0;
            int count = 0;
            for (int i = 0; i < logPrior.Length; i++)
            {
                double gap = logAggregatePosterior[i] - logPrior[i];
                bool selected = mode == LeakageThresholdMode.PriorLogDensityBelow ? logPrior[i] < tau : gap > tau;
                if (!selected) continue;
                sum += gap;
                count++;
            }
            points[t] = new LeakagePoint(tau, count == 0 ? 0 : sum / count, count);
        }
        return new LeakageResult(points, logPrior.Length, mode);
    }

    /// <summary>ℓ_p per row of z, float64: the prior's exact log p(z), or log N(g(z); 0, I) when asked.</summary>
    private static Tensor PriorLogDensity(IPrior prior, Tensor z, bool generationSpaceWithoutJacobian, int batchSize)
    {
        if (generationSpaceWithoutJacobian && prior is IGenerationSpacePrior flow)
        {
            using var scope = torch.NewDisposeScope();
            var (z0, _) = EvaluationData.ToGenerationSpace(flow, z, batchSize);
            return EvaluationData.StandardNormalLogDensity(z0).MoveToOuterDisposeScope();
        }
        var parts = new List<Tensor>();
        try
        {
            long n = z.size(0);
            for (long start = 0; start < n; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var logProb = prior.LogProb(z.narrow(0, start, Math.Min(batchSize, n - start)));
                parts.Add(logProb.to(ScalarType.Float64).DetachFromDisposeScope());
            }
            return torch.cat(parts);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    private static void ValidateThresholds(IReadOnlyList<double>? thresholds)
    {
        if (thresholds is null || thresholds.Count == 0)
            throw new ArgumentException("At least one leakage threshold is needed.", nameof(thresholds));
        foreach (var t in thresholds)
            if (double.IsNaN(t)) throw new ArgumentException("Leakage thresholds cannot be NaN.", nameof(thresholds));
    }
}
