using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// Fréchet distance between the features of real and generated images (FID) with any
/// <see cref="IFeatureExtractor"/>. Images are [N, C, H, W] in [0, 1]; both sets are quantized to
/// 8 bits first (<see cref="FidOptions.Quantize"/>), and features are streamed into float64
/// statistics batch by batch, so neither set's features are held at once.
/// </summary>
public static class FidCalculator
{
    /// <summary>FID between two image sets (e.g. real images and a provided set such as low-posterior samples).</summary>
    /// <exception cref="ArgumentException">A set is empty or has fewer than 2 images, or the sets differ in image size or channels.</exception>
    public static FidResult Compute(IFeatureExtractor extractor, Tensor real, Tensor generated, FidOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        CheckImageSet(real, nameof(real));
        CheckImageSet(generated, nameof(generated));
        CheckSameShape(real.shape[1..], generated.shape[1..], "generated");
        using var realStatistics = ComputeStatistics(extractor, real, options);
        return Compute(extractor, realStatistics, generated, options);
    }

    /// <summary>FID between precomputed real statistics and a generated image set.</summary>
    public static FidResult Compute(IFeatureExtractor extractor, FrechetStatistics real, Tensor generated, FidOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        ArgumentNullException.ThrowIfNull(real);
        CheckImageSet(generated, nameof(generated));
        if (real.ImageShape is not null) CheckSameShape(real.ImageShape, generated.shape[1..], "generated");
        using var generatedStatistics = ComputeStatistics(extractor, generated, options);
        return Result(extractor, real, generatedStatistics);
    }

    /// <summary>
    /// Features statistics of an image set, to compute once for the real data and reuse across
    /// evaluations. The caller owns the result.
    /// </summary>
    public static FrechetStatistics ComputeStatistics(IFeatureExtractor extractor, Tensor images, FidOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        CheckImageSet(images, nameof(images));
        var opts = Options(options);
        long n = images.size(0);
        using var accumulator = new FrechetStatisticsAccumulator();
        for (long start = 0; start < n; start += opts.BatchSize)
        {
            using var scope = torch.NewDisposeScope();
            var batch = images.narrow(0, start, Math.Min(opts.BatchSize, n - start));
            AddBatch(accumulator, extractor, batch, opts);
        }
        var statistics = accumulator.ToStatistics();
        statistics.ImageShape = images.shape[1..];
        return statistics;
    }

    /// <summary>
    /// FID of <paramref name="count"/> images made by <paramref name="generateBatch"/> (called with the
    /// number of images wanted, at most <see cref="FidOptions.BatchSize"/>; it returns [b, C, H, W] in
    /// [0, 1]) against precomputed real statistics. Generation and extraction are interleaved, so
    /// large sample counts need no memory beyond one batch.
    /// </summary>
    public static FidResult ComputeForGenerator(IFeatureExtractor extractor, FrechetStatistics real, Func<int, Tensor> generateBatch, long count, FidOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        ArgumentNullException.ThrowIfNull(real);
        ArgumentNullException.ThrowIfNull(generateBatch);
        if (count < 2) throw new ArgumentOutOfRangeException(nameof(count), $"FID needs at least 2 generated images, got {count}.");
        var opts = Options(options);
        using var accumulator = new FrechetStatisticsAccumulator();
        for (long done = 0; done < count;)
        {
            using var scope = torch.NewDisposeScope();
            int wanted = (int)Math.Min(opts.BatchSize, count - done);
            var batch = generateBatch(wanted) ?? throw new InvalidOperationException("The generator returned null.");
            if (batch.dim() != 4 || batch.size(0) != wanted)
                throw new InvalidOperationException($"The generator was asked for {wanted} images [N, C, H, W] but returned {EvaluationData.Describe(batch)}.");
            if (real.ImageShape is not null) CheckSameShape(real.ImageShape, batch.shape[1..], "generated");
            AddBatch(accumulator, extractor, batch, opts);
            done += wanted;
        }
        using var generated = accumulator.ToStatistics();
        return Result(extractor, real, generated);
    }

    /// <summary>
    /// FID of <paramref name="count"/> samples of <paramref name="model"/> (z ~ prior, decoded and mapped to
    /// data by the observation model) against real images.
    /// </summary>
    public static FidResult ComputeForPriorSamples(IFeatureExtractor extractor, IVaeModel model, Tensor real, long count, FidOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckImageSet(real, nameof(real));
        CheckSameShape(real.shape[1..], model.SampleShape, "generated");
        using var statistics = ComputeStatistics(extractor, real, options);
        return ComputeForPriorSamples(extractor, model, statistics, count, options);
    }

    /// <summary>FID of <paramref name="count"/> prior samples of <paramref name="model"/> against precomputed real statistics.</summary>
    public static FidResult ComputeForPriorSamples(IFeatureExtractor extractor, IVaeModel model, FrechetStatistics real, long count, FidOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(real);
        if (real.ImageShape is not null) CheckSameShape(real.ImageShape, model.SampleShape, "generated");
        var opts = Options(options);
        if (opts.Seed is long seed) EvaluationData.ManualSeed(seed);
        model.SetTraining(opts.GenerateInTrainingMode);
        try
        {
            using (torch.no_grad())
                return ComputeForGenerator(extractor, real, n => model.Observation.ToData(model.Decode(model.Prior.Sample(n))), count, opts);
        }
        finally
        {
            model.SetTraining(false);
        }
    }

    /// <summary>FID between <paramref name="images"/> and their reconstructions by <paramref name="model"/>.</summary>
    public static FidResult ComputeForReconstructions(IFeatureExtractor extractor, IVaeModel model, Tensor images, FidOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        ArgumentNullException.ThrowIfNull(model);
        CheckImageSet(images, nameof(images));
        CheckSameShape(images.shape[1..], model.SampleShape, "reconstructed");
        var opts = Options(options);
        if (opts.Seed is long seed) EvaluationData.ManualSeed(seed);
        long n = images.size(0);
        using var realAccumulator = new FrechetStatisticsAccumulator();
        using var reconstructionAccumulator = new FrechetStatisticsAccumulator();
        model.SetTraining(opts.GenerateInTrainingMode);
        try
        {
            using var noGrad = torch.no_grad();
            for (long start = 0; start < n; start += opts.BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                var batch = images.narrow(0, start, Math.Min(opts.BatchSize, n - start));
                var (mean, logVar) = model.Encode(batch.to(ScalarType.Float32, model.Device));
                var z = opts.ReconstructFromPosteriorMean ? mean : mean + (logVar * 0.5).exp() * torch.randn_like(mean);
                var reconstruction = model.Observation.ToData(model.Decode(z));
                AddBatch(realAccumulator, extractor, batch, opts);
                AddBatch(reconstructionAccumulator, extractor, reconstruction, opts);
            }
        }
        finally
        {
            model.SetTraining(false);
        }
        using var real = realAccumulator.ToStatistics();
        using var reconstructed = reconstructionAccumulator.ToStatistics();
        return Result(extractor, real, reconstructed);
    }

    private static void AddBatch(FrechetStatisticsAccumulator accumulator, IFeatureExtractor extractor, Tensor batch, FidOptions options)
    {
        var x = options.Quantize ? FidInputs.Quantize(batch) : batch;
        var features = extractor.Extract(x);
        if (features.dim() != 2 || features.size(1) != extractor.Dimension)
            throw new InvalidOperationException($"Extractor '{extractor.Name}' returned {EvaluationData.Describe(features)}, expected [N, {extractor.Dimension}].");
        accumulator.Add(features);
    }

    private static FidResult Result(IFeatureExtractor extractor, FrechetStatistics real, FrechetStatistics generated)
    {
        if (real.Dimension != generated.Dimension)
            throw new ArgumentException(
                $"The real statistics have {real.Dimension} features but '{extractor.Name}' gives {generated.Dimension}; were they computed with another extractor?");
        return new FidResult(FrechetDistance.Compute(real, generated), extractor.Name, real.Count, generated.Count);
    }

    private static FidOptions Options(FidOptions? options)
    {
        var o = options ?? new FidOptions();
        o.Validate();
        return o;
    }

    private static void CheckImageSet(Tensor images, string paramName)
    {
        ArgumentNullException.ThrowIfNull(images, paramName);
        if (images.dim() != 4)
            throw new ArgumentException($"The {paramName} images must be a 4-D [N, C, H, W] batch, not {EvaluationData.Describe(images)}.", paramName);
        long n = images.size(0);
        if (n == 0) throw new ArgumentException($"The {paramName} image set is empty.", paramName);
        if (n < 2) throw new ArgumentException($"The {paramName} image set has 1 image; FID needs at least 2 for a covariance.", paramName);
    }

    private static void CheckSameShape(long[] realShape, long[] otherShape, string otherName)
    {
        if (!realShape.AsSpan().SequenceEqual(otherShape))
            throw new ArgumentException(
                $"real images are {FeatureExtraction.Describe(realShape)} but {otherName} are {FeatureExtraction.Describe(otherShape)}.");
    }
}
