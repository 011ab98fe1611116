using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.ML.Vae.Cli.Data;
using Microsoft.ML.Vae.Core.Evaluation;
using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Cli.Evaluation;

/// <summary>Settings shared by the metrics of one 'vae evaluate' run.</summary>
internal sealed class MetricSettings
{
    public long Seed { get; init; }
    public int NllSamples { get; init; } = 1000;
    public int NllCount { get; init; } = 1000;
    public int FidCount { get; init; } = 10_000;
    public string? InceptionPath { get; init; }
    public string DataName { get; init; } = "";
}

/// <summary>One metric group: which data it applies to and how it turns a model into named values.</summary>
internal sealed record Metric(string Name, Func<IVaeModel, CliData, bool> AppliesTo,
    Func<IVaeModel, CliData, MetricSettings, IEnumerable<(string Key, JsonNode? Value)>> Compute);

/// <summary>The metrics 'vae evaluate' knows, in the order they run.</summary>
internal static class MetricSuite
{
    private static bool Images(IVaeModel m, CliData d) => !d.IsToy && m.SampleShape.Length == 3;
    private static bool Labelled(IVaeModel m, CliData d) => !d.IsToy && d.Train?.Labels is not null && d.Evaluation.Labels is not null;

    public static readonly Metric[] Metrics =
    [
        new("reconstruction", (_, _) => true, Reconstruction),
        new("nll", (_, _) => true, Nll),
        new("symmetricKl", (_, _) => true, SymmetricKlMetric),
        new("leakage", (_, _) => true, Leakage),
        new("flowFit", (_, _) => true, FlowFitMetric),
        new("density2d", (_, d) => d.IsToy, Density2D),
        new("fid", Images, Fid),
        new("representation", Labelled, Representation),
    ];

    public static IReadOnlyList<string> All => Metrics.Select(m => m.Name).ToArray();

    public static IEnumerable<Metric> Applicable(IVaeModel model, CliData data, string[]? requested)
    {
        foreach (var m in Metrics)
        {
            if (requested is not null && !requested.Contains(m.Name)) continue;
            if (!m.AppliesTo(model, data))
            {
                if (requested is not null) throw new ArgumentException($"Metric '{m.Name}' does not apply to this model and data set.");
                continue;
            }
            yield return m;
        }
    }

    /// <summary>Evaluation data as one tensor: the held-out images, or fresh samples of a 2-D distribution.</summary>
    internal static Tensor EvaluationTensor(CliData data, long seed, long toyCount = 5000)
    {
        if (!data.IsToy) return data.Evaluation.Features.alias();
        torch.manual_seed(seed);
        return data.Sampler!.Sample(toyCount);
    }

    private static IEnumerable<(string, JsonNode?)> Reconstruction(IVaeModel model, CliData data, MetricSettings s)
    {
        using var x = EvaluationTensor(data, s.Seed);
        yield return ("reconstructionMse", ReconstructionError.Compute(model, x));
    }

    private static IEnumerable<(string, JsonNode?)> Nll(IVaeModel model, CliData data, MetricSettings s)
    {
        using var all = EvaluationTensor(data, s.Seed, s.NllCount);
        using var x = all.narrow(0, 0, Math.Min(all.size(0), s.NllCount));
        var r = ImportanceSampledNll.Compute(model, x, s.NllSamples, seed: s.Seed);
        yield return ("nll", r.Nll);
        yield return ("nllStandardError", r.NllStandardError);
        yield return ("bitsPerDim", r.BitsPerDim);
        yield return ("elbo", r.Elbo);
        yield return ("nllImportanceSamples", r.ImportanceSamples);
        yield return ("nllCount", r.Count);
    }

    private static IEnumerable<(string, JsonNode?)> SymmetricKlMetric(IVaeModel model, CliData data, MetricSettings s)
    {
        using var x = EvaluationTensor(data, s.Seed);
        var r = SymmetricKl.Compute(model, x, seed: s.Seed);
        yield return ("symmetricKl", r.Value);
        yield return ("klPriorToPosterior", r.PriorToPosterior);
        yield return ("klPosteriorToPrior", r.PosteriorToPrior);
    }

    private static IEnumerable<(string, JsonNode?)> Leakage(IVaeModel model, CliData data, MetricSettings s)
    {
        using var x = EvaluationTensor(data, s.Seed);
        var r = LeakageScore.Compute(model, x, seed: s.Seed);
        var values = new JsonObject();
        var counts = new JsonObject();
        foreach (var p in r.Points)
        {
            string key = p.Threshold.ToString(CultureInfo.InvariantCulture);
            values[key] = p.Value;
            counts[key] = p.Count;
        }
        yield return ("leakage", values);
        yield return ("leakageCounts", counts);
    }

    private static IEnumerable<(string, JsonNode?)> FlowFitMetric(IVaeModel model, CliData data, MetricSettings s)
    {
        using var x = EvaluationTensor(data, s.Seed);
        var r = FlowFit.Compute(model, x, seed: s.Seed);
        if (r.MappedMean is not null) yield return ("flowFitMappedMean", new JsonArray(r.MappedMean.Select(v => (JsonNode?)v).ToArray()));
        if (r.MappedStd is not null) yield return ("flowFitMappedStd", new JsonArray(r.MappedStd.Select(v => (JsonNode?)v).ToArray()));
        if (r.GaussianKl is double kl) yield return ("flowFitGaussianKl", kl);
        yield return ("flowFitEncodingSpacing", r.TypicalSpacing);
        yield return ("flowFitFarDistance", r.FarDistance);
        yield return ("flowFitFarPriorShare", r.FarShare);
        yield return ("flowFitPoor", r.IsPoorFit);
        yield return ("flowFitVerdict", r.Verdict);
    }

    private static IEnumerable<(string, JsonNode?)> Density2D(IVaeModel model, CliData data, MetricSettings s) =>
        Density2DAdapter.Compute(model, data, s);

    private static IEnumerable<(string, JsonNode?)> Fid(IVaeModel model, CliData data, MetricSettings s) =>
        FidAdapter.Compute(model, data, s);

    private static IEnumerable<(string, JsonNode?)> Representation(IVaeModel model, CliData data, MetricSettings s)
    {
        foreach (var regime in new[] { RepresentationRegime.Few, RepresentationRegime.Many })
        {
            var r = RepresentationMetrics.Compute(model, data.Train!, data.Evaluation, regime);
            string suffix = regime == RepresentationRegime.Few ? "Few" : "";
            yield return ($"linearProbeAccuracy{suffix}", r.LinearProbeAccuracy);
            yield return ($"knnAccuracy{suffix}", r.KnnAccuracy);
        }
    }
}
