using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// Importance-sampled negative log-likelihood (the IWAE bound, Burda et al. 2016):
/// log p(x) ≈ logsumexpₛ [log p(x|zₛ) + log p(zₛ) − log q(zₛ|x)] − log S with zₛ ~ q(z|x).
/// </summary>
/// <remarks>
/// log p(x|z) is the model's <see cref="IObservationModel.LogLikelihood"/>, log p(z) the prior's
/// exact <see cref="IPrior.LogProb"/> (flow Jacobian included), log q the exact diagonal-Gaussian
/// density. Log-weights are accumulated in float64 with a running log-sum-exp, so memory is bounded
/// by one chunk of decoded samples whatever S is. The estimate is biased toward a higher NLL and
/// tightens as S grows. (The dpVAE code's "NLL" is a scaled ELBO proxy, not this quantity.)
/// Bits per dimension are of the model's density as given: for continuous likelihoods on
/// [0, 1]-scaled pixels they are not the discrete 8-bit figure of the literature.
/// </remarks>
public static class ImportanceSampledNll
{
    /// <summary>Default importance samples per data sample (1000).</summary>
    public const int DefaultImportanceSamples = 1000;

    /// <summary>Estimates the NLL of <paramref name="data"/> under <paramref name="model"/>.</summary>
    /// <param name="model">The model (put in evaluation mode).</param>
    /// <param name="data">Data [N, ..SampleShape] (CPU or the model's device).</param>
    /// <param name="importanceSamples">Importance samples S per data sample (≥ 1).</param>
    /// <param name="batchSize">Data samples encoded together.</param>
    /// <param name="seed">Seed of every random draw; the CPU generator's state is restored afterwards (CUDA generators stay reseeded).</param>
    /// <param name="maxDecodeRows">Bound on decoded rows (importance samples × data samples) held at once.</param>
    public static ImportanceSampledNllResult Compute(IVaeModel model, Tensor data, int importanceSamples = DefaultImportanceSamples,
        int batchSize = 100, long seed = 0, int maxDecodeRows = 2000)
    {
        long n = EvaluationData.Validate(model, data);
        EvaluationData.RequirePositive(importanceSamples, nameof(importanceSamples));
        EvaluationData.RequirePositive(batchSize, nameof(batchSize));
        EvaluationData.RequirePositive(maxDecodeRows, nameof(maxDecodeRows));
        long dims = 1;
        foreach (var s in model.SampleShape) dims *= s;

        using var run = SeededEvaluationScope.Enter(model, seed);
        double sumLogPx = 0, sumSquaredLogPx = 0, sumElbo = 0;
        for (long start = 0; start < n; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            long len = Math.Min(batchSize, n - start);
            var x = EvaluationData.Rows(data, start, len, model.Device);
            var (logPx, elbo) = BatchLogLikelihood(model, x, importanceSamples, maxDecodeRows);
            foreach (var v in logPx.cpu().data<double>().ToArray())
            {
                sumLogPx += v;
                sumSquaredLogPx += v * v;
            }
            sumElbo += elbo.sum().ToDouble();
        }

        double meanLogPx = sumLogPx / n;
        double variance = n > 1 ? Math.Max(0, (sumSquaredLogPx - n * meanLogPx * meanLogPx) / (n - 1)) : 0;
        double nll = -meanLogPx;
        return new ImportanceSampledNllResult(nll, Math.Sqrt(variance / n), nll / (dims * Math.Log(2)), sumElbo / n, importanceSamples, n);
    }

    /// <summary>
    /// IWAE estimate of log p(x) and the mean single-sample ELBO for one batch x [B, ..]: two
    /// float64 [B] tensors.
    /// </summary>
    private static (Tensor LogPx, Tensor Elbo) BatchLogLikelihood(IVaeModel model, Tensor x, int importanceSamples, int maxDecodeRows)
    {
        using var scope = torch.NewDisposeScope();
        long b = x.size(0);
        int d = model.LatentDim;
        var (mean, logVar) = model.Encode(x);
        var std = (logVar * 0.5).exp();
        // log q(z|x) = −½ Σⱼ (log 2π + logvarⱼ + εⱼ²) at z = μ + σ ⊙ ε; the ε-free part is fixed per row.
        var logQConstant = (logVar.to(ScalarType.Float64).sum(1) + d * DiagonalGaussian.Log2Pi) * -0.5;
        long[] sampleShape = model.SampleShape;
        long chunk = Math.Max(1, maxDecodeRows / b);

        var logSumExp = torch.full([b], double.NegativeInfinity, ScalarType.Float64, x.device);
        var elboSum = torch.zeros([b], ScalarType.Float64, x.device);
        for (long s0 = 0; s0 < importanceSamples; s0 += chunk)
        {
            using var inner = torch.NewDisposeScope();
            long c = Math.Min(chunk, importanceSamples - s0);
            var eps = torch.randn([c, b, d], mean.dtype, mean.device);
            var z = (mean.unsqueeze(0) + std.unsqueeze(0) * eps).reshape(c * b, d);
            var decoded = model.Decode(z);
            long[] expanded = [c, .. x.shape];
            long[] flat = [c * b, .. sampleShape];
            var xRepeated = x.unsqueeze(0).expand(expanded).reshape(flat);
            var logLikelihood = model.Observation.LogLikelihood(xRepeated, decoded).to(ScalarType.Float64);
            var logPrior = model.Prior.LogProb(z).to(ScalarType.Float64);
            var logQ = logQConstant.unsqueeze(0) - eps.to(ScalarType.Float64).square().sum(2) * 0.5;
            var logWeights = (logLikelihood + logPrior).reshape(c, b) - logQ;
            var merged = torch.stack([logSumExp, logWeights.logsumexp(0)]).logsumexp(0);
            logSumExp.copy_(merged);
            elboSum.add_(logWeights.sum(dim: 0));
        }
        var logPx = logSumExp - Math.Log(importanceSamples);
        var elbo = elboSum / importanceSamples;
        return (logPx.MoveToOuterDisposeScope(), elbo.MoveToOuterDisposeScope());
    }
}
