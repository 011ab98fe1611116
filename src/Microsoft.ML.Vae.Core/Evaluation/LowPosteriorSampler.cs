using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// Low-posterior (LP) samples of dpVAE: prior samples that fall in holes of the aggregate
/// posterior. Each round draws prior samples z ~ p(z) (for dpVAE z = g⁻¹(z0)), scores them by
/// log (1/N) Σₙ N(z; μₙ, diag σ²ₙ) over the encodings of a random data batch, and keeps the
/// lowest-scoring fraction; rounds repeat until the requested count is reached. The kept latents
/// are decoded. Scores in the result are these per-round log-densities (ascending within a round).
/// </summary>
public static class LowPosteriorSampler
{
    /// <summary>Draws <paramref name="count"/> low-posterior samples.</summary>
    /// <param name="model">The model (put in evaluation mode).</param>
    /// <param name="data">Data [N, ..SampleShape] whose encodings define the aggregate posterior.</param>
    /// <param name="count">Samples wanted (≥ 1).</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="seed">Seed of every random draw; the CPU generator's state is restored afterwards (CUDA generators stay reseeded).</param>
    public static PosteriorSampleSet Generate(IVaeModel model, Tensor data, int count, LowPosteriorOptions? options = null, long seed = 0)
    {
        EvaluationData.Validate(model, data);
        options ??= new LowPosteriorOptions();
        EvaluationData.RequirePositive(count, nameof(count));
        EvaluationData.RequirePositive(options.CandidatesPerRound, nameof(options.CandidatesPerRound));
        EvaluationData.RequirePositive(options.DataBatchSize, nameof(options.DataBatchSize));
        EvaluationData.RequirePositive(options.DecodeBatchSize, nameof(options.DecodeBatchSize));
        if (!(options.KeepFraction > 0 && options.KeepFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(options.KeepFraction), options.KeepFraction, "KeepFraction must be in (0, 1].");
        int keep = Math.Max(1, (int)Math.Round(options.KeepFraction * options.CandidatesPerRound));

        using var run = SeededEvaluationScope.Enter(model, seed);
        var latents = new List<Tensor>();
        var scores = new List<Tensor>();
        try
        {
            for (long collected = 0; collected < count;)
            {
                using var scope = torch.NewDisposeScope();
                var (mean, logVar) = EvaluationData.EncodeRandomRows(model, data, options.DataBatchSize, options.DataBatchSize);
                var z = model.Prior.Sample(options.CandidatesPerRound);
                var score = Score(z, mean, logVar, options.ReproduceLogVarDivisionQuirk);
                long take = Math.Min(keep, count - collected);
                var (lowest, index) = score.topk((int)take, largest: false, sorted: true);
                latents.Add(z.index_select(0, index.to(z.device)).DetachFromDisposeScope());
                scores.Add(lowest.DetachFromDisposeScope());
                collected += take;
            }
            using var outer = torch.NewDisposeScope();
            var allLatents = torch.cat(latents);
            var samples = EvaluationData.DecodeToData(model, allLatents, options.DecodeBatchSize);
            var allScores = torch.cat(scores);
            return new PosteriorSampleSet(allLatents.MoveToOuterDisposeScope(), samples.MoveToOuterDisposeScope(), allScores.MoveToOuterDisposeScope());
        }
        finally
        {
            foreach (var t in latents) t.Dispose();
            foreach (var t in scores) t.Dispose();
        }
    }

    /// <summary>
    /// The aggregate-posterior score of every row of <paramref name="z"/> [M, d] against the
    /// encodings (<paramref name="means"/>, <paramref name="logVars"/>) [N, d], float64 [M]:
    /// log (1/N) Σₙ N(z; μₙ, diag σ²ₙ), or with <paramref name="reproduceLogVarDivisionQuirk"/>
    /// the dpVAE code's log (1/N) Σₙ exp(−Σⱼ (zⱼ − μₙⱼ)² / logvarₙⱼ).
    /// </summary>
    public static Tensor Score(Tensor z, Tensor means, Tensor logVars, bool reproduceLogVarDivisionQuirk = false)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(logVars);
        if (!reproduceLogVarDivisionQuirk)
        {
            using var aggregate = new AggregatePosterior(means, logVars);
            return aggregate.LogDensity(z);
        }
        if (means.dim() != 2 || !means.shape.AsSpan().SequenceEqual(logVars.shape) || z.dim() != 2 || z.size(1) != means.size(1))
            throw new ArgumentException(
                $"Expected latents [M, d] and encodings [N, d]; got z [{string.Join(", ", z.shape)}], means [{string.Join(", ", means.shape)}], " +
                $"log-variances [{string.Join(", ", logVars.shape)}].", nameof(z));
        if (means.size(0) == 0) throw new ArgumentException("At least one encoding is needed.", nameof(means));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var mu = means.to(ScalarType.Float64);
        var weights = logVars.to(ScalarType.Float64, means.device).reciprocal();
        var weightedMeans = mu * weights;
        var offsets = (mu * weightedMeans).sum(1);
        return AggregatePosterior.LogMeanExpOfQuadratic(z, weights, weightedMeans, offsets, 1.0, AggregatePosterior.DefaultMaxChunkElements)
            .MoveToOuterDisposeScope();
    }
}
