using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// High-posterior (HP) samples of dpVAE: aggregate-posterior samples that the prior under-covers
/// ("leaked" mass). Draws <see cref="HighPosteriorOptions.CandidateFactor"/>·B aggregate-posterior
/// samples (random data rows → encoder → one reparameterized z each), ranks them by prior
/// log-density in the generation space, log N(g(z); 0, I) (by log p(z) for a prior without a
/// generation space), keeps the B lowest and decodes them.
/// </summary>
/// <remarks>
/// The dpVAE code maps the kept z0 back with g⁻¹ before decoding; since g⁻¹(g(z)) = z the
/// original z is decoded directly, which avoids the round trip's rounding. Its ranking key
/// exp(−‖z0‖²) orders samples exactly as log N(z0; 0, I) does. Scores in the result are these
/// log-densities, ascending.
/// </remarks>
public static class HighPosteriorSampler
{
    /// <summary>Draws <paramref name="count"/> high-posterior samples.</summary>
    /// <param name="model">The model (put in evaluation mode).</param>
    /// <param name="data">Data [N, ..SampleShape] (typically validation images).</param>
    /// <param name="count">Samples wanted B (≥ 1).</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="seed">Seed of every random draw; the CPU generator's state is restored afterwards (CUDA generators stay reseeded).</param>
    public static PosteriorSampleSet Generate(IVaeModel model, Tensor data, int count, HighPosteriorOptions? options = null, long seed = 0)
    {
        EvaluationData.Validate(model, data);
        options ??= new HighPosteriorOptions();
        EvaluationData.RequirePositive(count, nameof(count));
        EvaluationData.RequirePositive(options.CandidateFactor, nameof(options.CandidateFactor));
        EvaluationData.RequirePositive(options.BatchSize, nameof(options.BatchSize));
        long candidates = checked((long)count * options.CandidateFactor);

        using var run = SeededEvaluationScope.Enter(model, seed);
        var latents = new List<Tensor>();
        var scores = new List<Tensor>();
        try
        {
            for (long start = 0; start < candidates; start += options.BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                long len = Math.Min(options.BatchSize, candidates - start);
                var z = EvaluationData.SampleAggregatePosterior(model, data, len, options.BatchSize);
                var score = model.Prior is IGenerationSpacePrior flow
                    ? EvaluationData.StandardNormalLogDensity(flow.ToGenerationSpace(z).Z0)
                    : model.Prior.LogProb(z).to(ScalarType.Float64);
                latents.Add(z.DetachFromDisposeScope());
                scores.Add(score.DetachFromDisposeScope());
            }
            using var outer = torch.NewDisposeScope();
            var allLatents = torch.cat(latents);
            var allScores = torch.cat(scores);
            var (lowest, index) = allScores.topk(count, largest: false, sorted: true);
            var kept = allLatents.index_select(0, index.to(allLatents.device));
            var samples = EvaluationData.DecodeToData(model, kept, options.BatchSize);
            return new PosteriorSampleSet(kept.MoveToOuterDisposeScope(), samples.MoveToOuterDisposeScope(), lowest.MoveToOuterDisposeScope());
        }
        finally
        {
            foreach (var t in latents) t.Dispose();
            foreach (var t in scores) t.Dispose();
        }
    }
}
