using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.ML.Vae.Cli.CommandLine;
using Microsoft.ML.Vae.Cli.Data;
using Microsoft.ML.Vae.Cli.Evaluation;
using Microsoft.ML.Vae.Core.Persistence;

namespace Microsoft.ML.Vae.Cli.Commands;

/// <summary>vae evaluate: every metric that applies to the model and data, as a table and optionally JSON.</summary>
internal sealed class EvaluateCommand : ICommand
{
    public string Name => "evaluate";
    public string Summary => "compute the metrics of a trained model";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        CommonOptions.Model,
        new("data", false, "evaluation dataset (the test split when there is one)", "dataset"),
        new("metrics", false, "comma-separated subset of: " + string.Join(",", MetricSuite.All), "list"),
        new("json", false, "also write the metrics as one JSON object", "file.json"),
        new("nll-samples", false, "importance samples per image for the NLL (default 1000)", "s"),
        new("nll-count", false, "images scored by the NLL (default 1000)", "n"),
        new("fid-count", false, "images per side for FID (default 10000)", "n"),
        new("inception", false, "TorchScript Inception-v3 file for Inception FID (default: built-in classifier features)", "file.pt"),
        CommonOptions.Seed, CommonOptions.Device, CommonOptions.Threads,
    ];

    public int Run(ParsedArguments args, CancellationToken cancellationToken)
    {
        var spec = args.Require("data");
        var device = CommonOptions.ApplyRuntime(args);
        var settings = new MetricSettings
        {
            Seed = args.GetLong("seed", 0) ?? 0,
            NllSamples = (int)(args.GetLong("nll-samples", 1, 100_000) ?? 1000),
            NllCount = (int)(args.GetLong("nll-count", 1, 10_000_000) ?? 1000),
            FidCount = (int)(args.GetLong("fid-count", 2, 10_000_000) ?? 10_000),
            InceptionPath = args.Get("inception"),
            DataName = spec,
        };
        if (settings.InceptionPath is not null && !File.Exists(settings.InceptionPath))
            throw new FileNotFoundException($"Inception file '{settings.InceptionPath}' does not exist.");
        var requested = args.Get("metrics")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (requested is not null)
            foreach (var m in requested)
                if (!MetricSuite.All.Contains(m))
                    throw new UsageException($"Unknown metric '{m}'. Known: {string.Join(", ", MetricSuite.All)}.");
        using var model = CommonOptions.LoadModel(args, device);
        using var data = CliDatasets.Resolve(spec);
        var output = Console.Out;
        var results = new JsonObject();
        var watch = Stopwatch.StartNew();
        foreach (var metric in MetricSuite.Applicable(model, data, requested))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = Stopwatch.StartNew();
            output.WriteLine($"computing {metric.Name}...");
            foreach (var (key, value) in metric.Compute(model, data, settings)) results[key] = value;
            output.WriteLine($"  {metric.Name} done in {step.Elapsed.TotalSeconds:F1} s");
        }
        output.WriteLine();
        foreach (var (key, value) in results)
            output.WriteLine($"{key,-26} {Format(value)}");
        output.WriteLine($"({watch.Elapsed.TotalSeconds:F1} s)");
        if (args.Get("json") is string jsonPath)
        {
            // A metric can be NaN or infinite (a diverged model): JSON has no such numbers, so they are written as the strings "NaN", "Infinity", "-Infinity".
            var json = results.ToJsonString(new JsonSerializerOptions { WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals });
            AtomicFile.WriteAllText(jsonPath, json);
            output.WriteLine($"wrote {jsonPath}");
        }
        return 0;
    }

    private static string Format(JsonNode? v) => v switch
    {
        JsonValue jv when jv.TryGetValue<double>(out var d) => d.ToString("G6", CultureInfo.InvariantCulture),
        JsonValue jv when jv.TryGetValue<string>(out var text) => text,
        null => "null",
        _ => v.ToJsonString(),
    };
}
