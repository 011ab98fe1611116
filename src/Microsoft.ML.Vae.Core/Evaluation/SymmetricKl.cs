using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// Symmetric KL between the aggregate posterior and the prior, estimated from samples with the
/// 1-nearest-neighbour estimator (dpVAE's <c>computeGenMetrics</c>): sKL = D̂(p‖q) + D̂(q‖p).
/// </summary>
/// <remarks>
/// Q samples: random data rows (with replacement) → encoder → one reparameterized z each.
/// For a prior with a generation space (<see cref="IGenerationSpacePrior"/>: dpVAE's flow, or the
/// identity of a standard normal) both sides are compared there: z0 = g(z) against N(0, I) draws.
/// For any other prior (mixtures) the comparison is made in the latent space against samples of
/// the prior itself. Lower is better; both parts are returned because the estimator is not
/// symmetric.
/// </remarks>
public static class SymmetricKl
{
    /// <summary>Default samples per distribution (5000, the dpVAE setting).</summary>
    public const int DefaultSamples = 5000;

    /// <summary>Computes the symmetric KL for <paramref name="model"/> on <paramref name="data"/>.</summary>
    /// <param name="model">The model (put in evaluation mode).</param>
    /// <param name="data">Data [N, ..SampleShape] (CPU or the model's device).</param>
    /// <param name="samples">Samples per distribution (n = m); at least 2.</param>
    /// <param name="seed">Seed of every random draw; the CPU generator's state is restored afterwards (CUDA generators stay reseeded).</param>
    /// <param name="batchSize">Encoder batch size.</param>
    public static SymmetricKlResult Compute(IVaeModel model, Tensor data, int samples = DefaultSamples, long seed = 0, int batchSize = 500)
    {
        EvaluationData.Validate(model, data);
        if (samples < 2) throw new ArgumentOutOfRangeException(nameof(samples), samples, "The estimator needs at least 2 samples per distribution.");
        EvaluationData.RequirePositive(batchSize, nameof(batchSize));

        using var run = SeededEvaluationScope.Enter(model, seed);
        using var scope = torch.NewDisposeScope();
        var z = EvaluationData.SampleAggregatePosterior(model, data, samples, batchSize);
        Tensor posterior, prior;
        bool generationSpace = model.Prior is IGenerationSpacePrior;
        if (model.Prior is IGenerationSpacePrior flow)
        {
            posterior = EvaluationData.ToGenerationSpace(flow, z, batchSize).Z0;
            prior = torch.randn([samples, model.LatentDim], ScalarType.Float64, model.Device);
        }
        else
        {
            posterior = z;
            prior = model.Prior.Sample(samples);
        }
        double pq = NearestNeighborKl.Estimate(prior, posterior);
        double qp = NearestNeighborKl.Estimate(posterior, prior);
        return new SymmetricKlResult(pq + qp, pq, qp, samples, generationSpace);
    }
}
