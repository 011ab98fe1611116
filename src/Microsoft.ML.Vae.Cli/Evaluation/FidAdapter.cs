using System.Text.Json.Nodes;
using Microsoft.ML.Vae.Cli.Data;
using Microsoft.ML.Vae.Core.Evaluation;
using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Cli.Evaluation;

/// <summary>
/// FID of normal samples, low-posterior samples and reconstructions against held-out images, on
/// Inception features when a TorchScript file is given, else on the built-in classifier's
/// features (always reported under its own feature name, never as Inception FID).
/// </summary>
internal static class FidAdapter
{
    public static IEnumerable<(string, JsonNode?)> Compute(IVaeModel model, CliData data, MetricSettings s)
    {
        using var extractor = CreateExtractor(data, s, out var classifierAccuracy);
        var eval = data.Evaluation;
        long n = Math.Min(eval.Count, s.FidCount);
        using var real = eval.Features.narrow(0, 0, n);
        var realStats = FidCalculator.ComputeStatistics(extractor, real);
        torch.manual_seed(s.Seed);
        var normal = FidCalculator.ComputeForPriorSamples(extractor, model, realStats, n);
        yield return ("fid", normal.Fid);
        yield return ("fidFeatures", normal.Features);
        if (classifierAccuracy is double acc) yield return ("fidClassifierAccuracy", acc);
        using (var lp = LowPosteriorSampler.Generate(model, real, (int)Math.Min(n, 5000), seed: s.Seed))
            yield return ("fidLowPosterior", FidCalculator.Compute(extractor, realStats, lp.Samples).Fid);
        using (var rec = real.narrow(0, 0, Math.Min(n, 5000)))
            yield return ("fidReconstruction", FidCalculator.ComputeForReconstructions(extractor, model, rec).Fid);
        yield return ("fidCount", n);
    }

    private static IFeatureExtractor CreateExtractor(CliData data, MetricSettings s, out double? accuracy)
    {
        accuracy = null;
        if (s.InceptionPath is not null) return new TorchScriptInceptionExtractor(s.InceptionPath);
        if (data.Train?.Labels is null || data.Test?.Labels is null)
            throw new NotSupportedException($"FID on '{data.Name}' needs a labelled train/test split for the built-in classifier features, or --inception <file.pt>.");
        var result = ClassifierFeatureExtractor.GetOrTrain(data.Name, data.Train, data.Test,
            progress: new Progress<string>(line => Console.Out.WriteLine("  " + line)));
        accuracy = result.TestAccuracy;
        return result.Extractor;
    }
}
