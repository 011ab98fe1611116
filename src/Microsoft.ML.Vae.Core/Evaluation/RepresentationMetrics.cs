using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>Accuracy of simple classifiers on a model's latent codes.</summary>
/// <param name="LinearProbeAccuracy">Test accuracy of the linear probe (<c>linearProbeAccuracy</c>).</param>
/// <param name="KnnAccuracy">Test accuracy of the k-NN classifier (<c>knnAccuracy</c>).</param>
/// <param name="Regime">Few or many labelled training codes.</param>
/// <param name="LabelledCount">Training codes the classifiers saw.</param>
/// <param name="TestCount">Test codes scored.</param>
/// <param name="K">k-NN neighbours.</param>
public sealed record RepresentationMetricsResult(
    double LinearProbeAccuracy, double KnnAccuracy, RepresentationRegime Regime, long LabelledCount, long TestCount, int K);

/// <summary>
/// Representation quality (prior-learning paper §3.7 protocol): encode labelled training and test
/// images, standardize the codes with the training codes' mean and standard deviation, then score
/// a linear probe (<see cref="LinearProbe"/>) and a k-NN classifier (<see cref="KnnClassifier"/>)
/// on the test codes. Regimes: "few" uses a seeded random subset of 1,000 training codes and
/// k = 5; "many" uses all training codes and k = 100 (see <see cref="RepresentationRegime"/>).
/// </summary>
public static class RepresentationMetrics
{
    /// <summary>Encodes both sets with <paramref name="model"/> (left in evaluation mode) and scores the codes.</summary>
    /// <exception cref="ArgumentException">A data set has no labels or its samples do not fit the model.</exception>
    public static RepresentationMetricsResult Compute(IVaeModel model, TensorDataset train, TensorDataset test,
        RepresentationRegime regime, RepresentationMetricsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        var opts = options ?? new RepresentationMetricsOptions();
        opts.Validate();
        CheckDataSet(model, train, nameof(train));
        CheckDataSet(model, test, nameof(test));

        using var scope = torch.NewDisposeScope();
        var labelled = regime == RepresentationRegime.Few && train.Count > opts.FewLabelledCount
            ? train.Take(FewSubset(train.Count, opts.FewLabelledCount, opts.Seed))
            : null;
        try
        {
            var source = labelled ?? train;
            if (opts.Encoding == LatentEncoding.PosteriorSample) EvaluationData.ManualSeed(opts.Seed);
            var trainCodes = Encode(model, source.Features, opts.Encoding, opts.BatchSize);
            var testCodes = Encode(model, test.Features, opts.Encoding, opts.BatchSize);
            return ComputeFromCodes(trainCodes, source.Labels!, testCodes, test.Labels!, regime, opts);
        }
        finally
        {
            labelled?.Dispose();
        }
    }

    /// <summary>
    /// Scores precomputed codes: standardizes with the training codes' statistics, then fits the
    /// probe and the k-NN classifier. The caller chooses the training subset; k follows the regime.
    /// </summary>
    public static RepresentationMetricsResult ComputeFromCodes(Tensor trainCodes, Tensor trainLabels, Tensor testCodes, Tensor testLabels,
        RepresentationRegime regime, RepresentationMetricsOptions? options = null)
    {
        var opts = options ?? new RepresentationMetricsOptions();
        opts.Validate();
        LabelledCodes.Validate(trainCodes, trainLabels);
        LabelledCodes.Validate(testCodes, testLabels);
        if (trainCodes.size(1) != testCodes.size(1))
            throw new ArgumentException($"Training codes have {trainCodes.size(1)} dimensions but test codes {testCodes.size(1)}.", nameof(testCodes));

        using var scope = torch.NewDisposeScope();
        var train = trainCodes.to(ScalarType.Float32, torch.CPU);
        var test = testCodes.to(ScalarType.Float32, torch.CPU);
        var (mean, standardDeviation) = LabelledCodes.Statistics(train);
        train = (train - mean) / standardDeviation;
        test = (test - mean) / standardDeviation;

        var probeOptions = new LinearProbeOptions
        {
            Iterations = opts.LinearProbe.Iterations,
            LearningRate = opts.LinearProbe.LearningRate,
            L2 = opts.LinearProbe.L2,
            Standardize = false, // done above, once for both classifiers
        };
        double probe = LinearProbe.TrainAndScore(train, trainLabels, test, testLabels, probeOptions);
        int k = (int)Math.Min(regime == RepresentationRegime.Few ? opts.FewK : opts.ManyK, train.size(0));
        double knn = KnnClassifier.TrainAndScore(train, trainLabels, test, testLabels, k);
        return new RepresentationMetricsResult(probe, knn, regime, train.size(0), test.size(0), k);
    }

    /// <summary>Latent codes of <paramref name="images"/> [N, ...sample shape]: float32 [N, d] on the CPU.</summary>
    public static Tensor Encode(IVaeModel model, Tensor images, LatentEncoding encoding = LatentEncoding.PosteriorMean, int batchSize = 500)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), "The batch size must be positive.");
        model.SetTraining(false);
        long n = images.size(0);
        var parts = new List<Tensor>();
        try
        {
            using var noGrad = torch.no_grad();
            for (long start = 0; start < n; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var batch = images.narrow(0, start, Math.Min(batchSize, n - start)).to(ScalarType.Float32, model.Device);
                var (mean, logVar) = model.Encode(batch);
                var z = encoding == LatentEncoding.PosteriorMean ? mean : mean + (logVar * 0.5).exp() * torch.randn_like(mean);
                parts.Add(z.to(ScalarType.Float32, torch.CPU).DetachFromDisposeScope());
            }
            return torch.cat(parts, 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    // A seeded, sorted random subset: the same codes for every model evaluated with one seed.
    private static long[] FewSubset(long count, int size, int seed)
    {
        var random = new Random(seed);
        var indices = new long[count];
        for (long i = 0; i < count; i++) indices[i] = i;
        for (int i = 0; i < size; i++)
        {
            long j = i + random.NextInt64(count - i);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }
        var subset = indices[..size];
        Array.Sort(subset);
        return subset;
    }

    private static void CheckDataSet(IVaeModel model, TensorDataset data, string paramName)
    {
        if (data.Labels is null)
            throw new ArgumentException($"The {paramName} data set has no labels; representation metrics need class labels.", paramName);
        if (!data.SampleShape.AsSpan().SequenceEqual(model.SampleShape))
            throw new ArgumentException(
                $"The {paramName} samples are {FeatureExtraction.Describe(data.SampleShape)} but the model takes {FeatureExtraction.Describe(model.SampleShape)}.", paramName);
    }
}
