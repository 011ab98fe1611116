using System.Globalization;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// Flow-fit diagnostics: does the prior cover the aggregate posterior? Two views, both cheap:
/// (1) the moments of the aggregate posterior mapped to the generation space, z0 = g(z), against
/// N(0, I) — a fitted flow gives mean ≈ 0, std ≈ 1 and a small KL of the fitted Gaussian; (2) the
/// share of prior draws lying farther from every encoding than a multiple of the typical spacing
/// between encodings — those draws decode to images no training example resembles.
/// </summary>
/// <remarks>
/// A decoupled prior whose coupling layers cannot shift or scale far enough to reach the encoder's
/// posterior (the tanh-bounded shifts add up to about 11 per coordinate with the default six blocks)
/// maps the aggregate posterior away from N(0, I); its prior draws then land in empty regions of the
/// latent space. Every model with a generation-space prior (N(0, I) included, through the identity)
/// gets both views; a prior without one (a learned mixture) gets only the second.
/// </remarks>
public static class FlowFit
{
    /// <summary>
    /// The diagnostics from samples (a pure function of its arguments).
    /// </summary>
    /// <param name="mapped">Aggregate-posterior samples mapped to the generation space [n, d], or null when the prior has none.</param>
    /// <param name="encodings">Aggregate-posterior samples in the latent space [n, d], n ≥ 2.</param>
    /// <param name="priorDraws">Prior samples in the latent space [m, d], m ≥ 1.</param>
    /// <param name="options">Settings (null: the defaults).</param>
    public static FlowFitResult Assess(Tensor? mapped, Tensor encodings, Tensor priorDraws, FlowFitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(encodings);
        ArgumentNullException.ThrowIfNull(priorDraws);
        options ??= new FlowFitOptions();
        options.Validate();
        if (encodings.dim() != 2 || encodings.size(0) < 2)
            throw new ArgumentException($"Encodings must be [n, d] with n ≥ 2, got [{string.Join(", ", encodings.shape)}].", nameof(encodings));
        long d = encodings.size(1);
        if (priorDraws.dim() != 2 || priorDraws.size(1) != d || priorDraws.size(0) < 1)
            throw new ArgumentException($"Prior draws must be [m, {d}] with m ≥ 1, got [{string.Join(", ", priorDraws.shape)}].", nameof(priorDraws));
        if (mapped is not null && (mapped.dim() != 2 || mapped.size(1) != d || mapped.size(0) < 2))
            throw new ArgumentException($"Mapped samples must be [n, {d}] with n ≥ 2, got [{string.Join(", ", mapped.shape)}].", nameof(mapped));

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        double[]? mean = null, std = null;
        double? kl = null;
        if (mapped is not null) (mean, std, kl) = Moments(mapped.to(ScalarType.Float64, torch.CPU));

        var z = encodings.to(ScalarType.Float64, torch.CPU);
        var draws = priorDraws.to(ScalarType.Float64, torch.CPU);
        var spacings = NearestNeighborKl.NearestDistances(z, z, excludeSelf: true, NearestNeighborKl.DefaultMaxChunkElements);
        double spacing = spacings.median().ToDouble();
        double farDistance = options.SpacingMultiple * spacing;
        var nearest = NearestNeighborKl.NearestDistances(draws, z, excludeSelf: false, NearestNeighborKl.DefaultMaxChunkElements);
        double farShare = (nearest > farDistance).to(ScalarType.Float64).mean().ToDouble();

        var reasons = new List<string>();
        if (kl is double k && !(k <= options.MaxGaussianKl))
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"the flow maps the aggregate posterior to mean ({Join(mean!)}), std ({Join(std!)}), KL {k:G3} nats from N(0, I) (limit {options.MaxGaussianKl:G3})"));
        if (farShare > options.MaxFarShare)
            reasons.Add(string.Create(CultureInfo.InvariantCulture,
                $"{Percent(farShare)} of prior draws lie farther than {options.SpacingMultiple:G3}x the typical spacing of encodings ({farDistance:G3}) from every encoding (limit {Percent(options.MaxFarShare)})"));
        bool poor = reasons.Count > 0;
        string verdict = poor
            ? "Poor fit: the prior does not cover the aggregate posterior: " + string.Join("; ", reasons) + "."
            : string.Create(CultureInfo.InvariantCulture,
                $"The prior covers the aggregate posterior: {(kl is double k2 ? $"KL {k2:G3} nats from N(0, I) after the flow, " : "")}{Percent(farShare)} of prior draws far from every encoding.");
        return new FlowFitResult(mean, std, kl, spacing, options.SpacingMultiple, farShare, checked((int)Math.Min(encodings.size(0), priorDraws.size(0))), poor, verdict);
    }

    /// <summary>
    /// The diagnostics of <paramref name="model"/> on <paramref name="data"/>: aggregate-posterior samples
    /// (distinct random rows → encoder → one reparameterized z each), their map to the generation
    /// space when the prior has one, and draws of the prior.
    /// </summary>
    /// <param name="model">The model (put in evaluation mode).</param>
    /// <param name="data">Data [N, ..SampleShape] (CPU or the model's device).</param>
    /// <param name="options">Settings (null: the defaults).</param>
    /// <param name="seed">Seed of every random draw; the CPU generator's state is restored afterwards.</param>
    public static FlowFitResult Compute(IVaeModel model, Tensor data, FlowFitOptions? options = null, long seed = 0)
    {
        EvaluationData.Validate(model, data);
        options ??= new FlowFitOptions();
        options.Validate();
        using var run = SeededEvaluationScope.Enter(model, seed);
        using var scope = torch.NewDisposeScope();
        // Distinct random rows (all when there are fewer), one reparameterized sample of each posterior: drawing
        // rows with replacement would put near-copies side by side and shrink the typical spacing.
        var (means, logVars) = EvaluationData.EncodeRandomRows(model, data, options.Samples, options.BatchSize);
        var z = DiagonalGaussian.Sample(means, logVars);
        Tensor? mapped = model.Prior is IGenerationSpacePrior flow
            ? EvaluationData.ToGenerationSpace(flow, z, options.BatchSize).Z0
            : null;
        var draws = model.Prior.Sample(options.Samples);
        return Assess(mapped, z, draws, options);
    }

    /// <summary>Mean, per-coordinate std and the KL of the fitted full-covariance Gaussian to N(0, I).</summary>
    private static (double[] Mean, double[] Std, double Kl) Moments(Tensor x)
    {
        long n = x.size(0);
        int d = checked((int)x.size(1));
        var m = x.mean([0]);
        var centred = x - m;
        var cov = torch.matmul(centred.T, centred) / (n - 1);
        var mean = m.data<double>().ToArray();
        var s = cov.data<double>().ToArray();
        var std = Enumerable.Range(0, d).Select(j => Math.Sqrt(s[j * d + j])).ToArray();
        double trace = Enumerable.Range(0, d).Sum(j => s[j * d + j]);
        double kl = 0.5 * (trace + mean.Sum(v => v * v) - d - LogDeterminant(s, d));
        return (mean, std, kl);
    }

    /// <summary>log det of a symmetric positive semi-definite d×d matrix (row-major) by Cholesky; −∞ when it is singular.</summary>
    internal static double LogDeterminant(double[] a, int d)
    {
        var l = new double[d * d];
        double logDet = 0;
        for (int j = 0; j < d; j++)
        {
            double diag = a[j * d + j];
            for (int k = 0; k < j; k++) diag -= l[j * d + k] * l[j * d + k];
            if (!(diag > 0)) return double.NegativeInfinity;
            double root = Math.Sqrt(diag);
            l[j * d + j] = root;
            logDet += 2 * Math.Log(root);
            for (int i = j + 1; i < d; i++)
            {
                double v = a[i * d + j];
                for (int k = 0; k < j; k++) v -= l[i * d + k] * l[j * d + k];
                l[i * d + j] = v / root;
            }
        }
        return logDet;
    }

    private static string Percent(double share) => (100 * share).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string Join(double[] values) => string.Join(", ", values.Select(v => v.ToString("G3", CultureInfo.InvariantCulture)));
}
