namespace Microsoft.ML.Vae.Core.Evaluation;

using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

/// <summary>
/// The 2-D density benchmark of the S-IntroVAE and prior-learning papers, computed exactly as their code
/// does (algorithms spec §2.5) — including its quirks, which are kept so that numbers are comparable:
/// <list type="bullet">
/// <item>KL and JSD compare <c>density=True</c> histograms (values are densities, not probabilities) and divide
/// the sum by the number of bins per axis (PyTorch's "batchmean" over the first dimension): KL = Σ p(log p − log(q + 1e-14)) / bins,
/// terms with p = 0 contributing 0; KL is KL(real ‖ model).</item>
/// <item>The "JSD" is ½[KL(M‖P) + KL(M‖Q)] with M = ½(P + Q) — the reverse of the textbook JSD — with the same /bins.</item>
/// <item>KL and JSD use separate draws of 5,000 data and 5,000 model samples each.</item>
/// <item>gnELBO normalizes the raw negative ELBO e(x) = KL(q(z|x) ‖ p) + SSE(x, D(μ(x))) (β's = 1, decoded
/// at the posterior mean) by its sum over a 1,024² grid plus 100×128 data points, and averages it over the data
/// points — not exp(ELBO).</item>
/// </list>
/// Model samples are decoder outputs of prior samples. Everything runs under no-grad in evaluation mode
/// (the model is left in evaluation mode), in chunks that keep memory well under 1 GB.
/// </summary>
public static class Density2DMetrics
{
    /// <summary>Added to densities before the logarithm, as in the reference.</summary>
    public const double LogEpsilon = 1e-14;

    /// <summary>Posterior log-variances are clamped at −80 inside the Monte-Carlo KL, as in the prior-learning code.</summary>
    public const double MinLogVar = -80;

    /// <summary>KL, JSD, gnELBO and sample entropy of <paramref name="model"/> against the distribution <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The model does not take 2-D samples or the options are invalid.</exception>
    public static Density2DResult Compute(IVaeModel model, IDataSampler data, Density2DOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options = Prepare(model, options);
        double range = options.Range ?? data.PlotRange;
        using var noGrad = torch.no_grad();
        model.SetTraining(false);
        double kl, entropy, jsd;
        using (torch.NewDisposeScope())
        {
            var real = Density2DHistogram.Density(data.Sample(options.Samples), options.Bins, range);
            var fake = Density2DHistogram.Density(Generate(model, options.Samples), options.Bins, range);
            kl = HistogramKl(real, fake);
            entropy = UniformKl(fake, range);
        }
        using (torch.NewDisposeScope())
        {
            var real = Density2DHistogram.Density(data.Sample(options.Samples), options.Bins, range);
            var fake = Density2DHistogram.Density(Generate(model, options.Samples), options.Bins, range);
            jsd = HistogramJsd(real, fake);
        }
        if (options.SkipGnElbo) return new Density2DResult(kl, jsd, double.NaN, entropy, range);
        var parts = GridNormalizedElboTerms(model, data, range, options);
        return new Density2DResult(kl, jsd, parts.GnElbo, entropy, range)
        {
            DataNegElbo = parts.DataMean,
            GridNegElbo = parts.GridMean(options.GridPoints),
        };
    }

    /// <summary>KL(real ‖ fake) of two density histograms [bins, bins] as PyTorch's kl_div(log(fake + 1e-14), real, 'batchmean').</summary>
    public static double HistogramKl(Tensor real, Tensor fake)
    {
        CheckPair(real, fake);
        using var scope = torch.NewDisposeScope();
        var p = real.to(ScalarType.Float64);
        var q = fake.to(ScalarType.Float64);
        return KlDivBatchMean(p, q);
    }

    /// <summary>The reference JSD: ½[kl_div(log(real + 1e-14), M) + kl_div(log(fake + 1e-14), M)] with M = ½(fake + real), 'batchmean'.</summary>
    public static double HistogramJsd(Tensor real, Tensor fake)
    {
        CheckPair(real, fake);
        using var scope = torch.NewDisposeScope();
        var p = real.to(ScalarType.Float64);
        var q = fake.to(ScalarType.Float64);
        var m = (q + p) * 0.5;
        return 0.5 * (KlDivBatchMean(m, p) + KlDivBatchMean(m, q));
    }

    /// <summary>
    /// The prior-learning paper's "sample entropy" proxy: kl_div(log(fake + 1e-14), U, 'batchmean') with U the
    /// uniform density 1/(bins²·((2R)/bins)²) on [−R, R]²; higher means a peakier, less uniform model histogram.
    /// </summary>
    public static double UniformKl(Tensor fake, double range)
    {
        ArgumentNullException.ThrowIfNull(fake);
        if (fake.dim() != 2) throw new ArgumentException($"Expected a histogram [bins, bins], got [{string.Join(", ", fake.shape)}].", nameof(fake));
        long bins = fake.size(0);
        double binArea = Math.Pow(2 * range / bins, 2);
        double uniform = 1.0 / fake.numel() / binArea;
        using var scope = torch.NewDisposeScope();
        var q = fake.to(ScalarType.Float64);
        return KlDivBatchMean(torch.full_like(q, uniform), q);
    }

    /// <summary>
    /// Grid-normalized ELBO: e over a <see cref="Density2DOptions.GridPoints"/>² grid on [−R, R]² and over
    /// <see cref="Density2DOptions.DataBatches"/> × <see cref="Density2DOptions.DataBatchSize"/> data points;
    /// mean(e_data) / (Σ e_grid + Σ e_data), sums in float64.
    /// </summary>
    public static double GridNormalizedElbo(IVaeModel model, IDataSampler data, double range, Density2DOptions? options = null)
        => GridNormalizedElboTerms(model, data, range, options).GnElbo;

    /// <summary>The data mean and grid sum that <see cref="GridNormalizedElbo"/> is the ratio of.</summary>
    public static GridNormalizedElboParts GridNormalizedElboTerms(IVaeModel model, IDataSampler data, double range, Density2DOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        options = Prepare(model, options);
        using var noGrad = torch.no_grad();
        model.SetTraining(false);
        using var scope = torch.NewDisposeScope();
        var noise = KlNoise(model, options);
        double gridSum = 0;
        foreach (var chunk in GridChunks(range, options.GridPoints, ChunkSize(model, options)))
        {
            using var inner = torch.NewDisposeScope();
            gridSum += NegativeElbo(model, chunk.ToPoints(), options, noise).to(ScalarType.Float64).sum().ToDouble();
        }
        double dataSum = 0;
        long dataCount = 0;
        for (int b = 0; b < options.DataBatches; b++)
        {
            using var inner = torch.NewDisposeScope();
            var batch = data.Sample(options.DataBatchSize);
            dataSum += NegativeElbo(model, batch, options, noise).to(ScalarType.Float64).sum().ToDouble();
            dataCount += batch.size(0);
        }
        return new GridNormalizedElboParts(dataSum, gridSum, dataCount);
    }

    /// <summary>
    /// The density map exp(−e(x)) on the grid: float32 [n, n] on the CPU, entry [i, j] at (x_i, y_j) with
    /// x = y = linspace(−R, R, n) (the reference's "ij" meshgrid). To paint it with rows as the vertical axis,
    /// transpose it and draw row 0 at the bottom.
    /// </summary>
    public static Tensor DensityMap(IVaeModel model, double range, int points = 1024, Density2DOptions? options = null)
    {
        options ??= new Density2DOptions();
        options = Prepare(model, options);
        if (points < 2) throw new ArgumentOutOfRangeException(nameof(points), points, "The grid needs at least 2 points per axis.");
        if (!(range > 0) || !double.IsFinite(range)) throw new ArgumentOutOfRangeException(nameof(range), range, "The range must be positive and finite.");
        using var noGrad = torch.no_grad();
        model.SetTraining(false);
        using var scope = torch.NewDisposeScope();
        var noise = KlNoise(model, options);
        var parts = new List<Tensor>();
        foreach (var chunk in GridChunks(range, points, ChunkSize(model, options)))
            parts.Add(NegativeElbo(model, chunk.ToPoints(), options, noise).neg().exp().to(ScalarType.Float32, torch.CPU));
        return torch.cat(parts).reshape(points, points).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Per-point negative ELBO e(x) = KL(q(z|x) ‖ p) + SSE(x, D(μ(x))) for points [N, 2]: [N] on the model's device.
    /// <paramref name="monteCarloNoise"/> [M, 1, d] is the shared noise of a Monte-Carlo KL (null: closed form).
    /// </summary>
    public static Tensor NegativeElbo(IVaeModel model, Tensor points, Density2DOptions options, Tensor? monteCarloNoise)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(options);
        using var scope = torch.NewDisposeScope();
        // Data batches of every model are float32 (IVaeModel's contract).
        var x = points.to(ScalarType.Float32, model.Device);
        var (mean, logVar) = model.Encode(x);
        var sse = (model.Decode(mean) - x).square().flatten(1).sum(1);
        var kl = monteCarloNoise is null ? Kl.StandardNormal(mean, logVar) : MonteCarloKl(model, mean, logVar, monteCarloNoise);
        return (kl + sse).MoveToOuterDisposeScope();
    }

    /// <summary>The evaluation grid as points [n², 2] (float32): point i·n + j = (x_i, y_j), x = y = linspace(−R, R, n).</summary>
    public static Tensor Grid(double range, int points)
    {
        using var scope = torch.NewDisposeScope();
        var axis = torch.linspace(-range, range, points, ScalarType.Float32);
        var xx = axis.unsqueeze(1).expand(points, points).reshape(-1);
        var yy = axis.unsqueeze(0).expand(points, points).reshape(-1);
        return torch.stack([xx, yy], 1).MoveToOuterDisposeScope();
    }

    // ---- helpers

    private static double KlDivBatchMean(Tensor target, Tensor other)
    {
        // PyTorch's kl_div: xlogy(t, t) − t·log(other + ε), summed, divided by the size of dimension 0.
        var logTarget = torch.where(target.gt(0), target.log(), torch.zeros_like(target));
        var pointwise = target * logTarget - target * (other + LogEpsilon).log();
        return pointwise.sum().ToDouble() / target.size(0);
    }

    private static Tensor MonteCarloKl(IVaeModel model, Tensor mean, Tensor logVar, Tensor noise)
    {
        long m = noise.size(0), b = mean.size(0), d = mean.size(1);
        if (noise.dtype != mean.dtype) noise = noise.to(mean.dtype);
        var z = mean.unsqueeze(0) + (logVar * 0.5).exp().unsqueeze(0) * noise;     // [M, B, d]
        var clipped = logVar.clamp_min(MinLogVar).unsqueeze(0);
        var logQ = ((z - mean.unsqueeze(0)).square() * clipped.neg().exp() + clipped).sum(2) * -0.5 - 0.5 * d * DiagonalGaussian.Log2Pi;
        var logP = model.Prior.LogProb(z.reshape(m * b, d)).reshape(m, b);
        return (logQ - logP).mean([0]);
    }

    private static Tensor? KlNoise(IVaeModel model, Density2DOptions options)
    {
        if (!UsesMonteCarlo(model, options)) return null;
        return torch.randn([options.MonteCarloSamples, 1, model.LatentDim], ScalarType.Float32, model.Device);
    }

    private static bool UsesMonteCarlo(IVaeModel model, Density2DOptions options) => options.KlMode switch
    {
        Density2DKlMode.ClosedForm => false,
        Density2DKlMode.MonteCarlo => true,
        _ => model is SoftIntroVae s ? s.UsesMonteCarloKl : model.Prior is not StandardNormalPrior,
    };

    private static int ChunkSize(IVaeModel model, Density2DOptions options) => UsesMonteCarlo(model, options)
        ? Math.Max(1, options.MonteCarloChunkSamples / options.MonteCarloSamples)
        : options.ChunkSize;

    private static Tensor Generate(IVaeModel model, int n)
    {
        var z = model.Prior.Sample(n);
        return model.Decode(z.to(z.dtype, model.Device));
    }

    private static IEnumerable<GridChunk> GridChunks(double range, int points, int chunk)
    {
        long total = (long)points * points;
        for (long start = 0; start < total; start += chunk)
            yield return new GridChunk(range, points, start, Math.Min(chunk, total - start));
    }

    /// <summary>A contiguous run of grid points, materialized only when evaluated (the full grid is never held).</summary>
    private readonly record struct GridChunk(double Range, int Points, long Start, long Length)
    {
        public Tensor ToPoints()
        {
            using var scope = torch.NewDisposeScope();
            var axis = torch.linspace(-Range, Range, Points, ScalarType.Float32);
            var index = torch.arange(Start, Start + Length, 1, ScalarType.Int64);
            var xs = axis.index_select(0, index.floor_divide(Points));
            var ys = axis.index_select(0, index.remainder(Points));
            return torch.stack([xs, ys], 1).MoveToOuterDisposeScope();
        }
    }

    private static Density2DOptions Prepare(IVaeModel model, Density2DOptions? options)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new Density2DOptions();
        options.Validate();
        if (model.SampleShape is not [2])
            throw new ArgumentException($"The 2-D density benchmark needs a model of 2-D vectors; this model's samples are [{string.Join(", ", model.SampleShape)}].", nameof(model));
        if (options.KlMode == Density2DKlMode.ClosedForm && model.Prior is not StandardNormalPrior)
            throw new ArgumentException("The closed-form KL needs a standard normal prior; use KlMode MonteCarlo or Auto.", nameof(options));
        return options;
    }

    private static void CheckPair(Tensor real, Tensor fake)
    {
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(fake);
        if (real.dim() != 2 || !real.shape.SequenceEqual(fake.shape))
            throw new ArgumentException($"Expected two histograms of the same shape [bins, bins], got [{string.Join(", ", real.shape)}] and [{string.Join(", ", fake.shape)}].");
    }
}
