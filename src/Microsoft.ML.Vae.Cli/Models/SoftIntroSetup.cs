using Microsoft.ML.Vae.Cli.CommandLine;
using Microsoft.ML.Vae.Cli.Data;
using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Cli.Models;

/// <summary>--model soft-intro: Soft-IntroVAE, optionally with a learned mixture prior as a third player.</summary>
internal static class SoftIntroSetup
{
    /// <summary>
    /// Largest --components: every step evaluates batch × KL samples × K mixture terms (512 × 100 × 1024 ≈ 52 million
    /// on the toys, 16 times the preset's K = 64), so 100,000 components did not finish one step in a minute. The
    /// library's <see cref="SoftIntroOptions.Components"/> has no such limit.
    /// </summary>
    public const int MaxComponents = 1024;

    /// <summary>The --lr-milestones list: positive, strictly increasing iteration numbers; null when not given.</summary>
    internal static long[]? ParseMilestones(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!long.TryParse(parts[i], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out values[i]) || values[i] <= 0)
                throw new UsageException($"--lr-milestones expects positive whole iteration numbers separated by commas, e.g. 10000,15000; got '{text}'.");
        for (int i = 1; i < values.Length; i++)
            if (values[i] <= values[i - 1])
                throw new UsageException($"--lr-milestones must increase ({values[i - 1]} then {values[i]}).");
        return values;
    }

    public static TrainingSetup Create(ParsedArguments args, CliData data, Device device)
    {
        foreach (var other in new[] { "decoupled-prior", "patch-gan", "authors-loss", "posterior-normalization", "mse-weight", "alpha", "beta", "gamma" })
            if (args.Has(other)) throw new UsageException($"--{other} does not apply to soft-intro.");
        string prior = args.GetChoice("prior", "standard", "mog", "vamp") ?? "standard";
        bool learned = prior != "standard";
        if (!learned)
            foreach (var other in new[] { "components", "clip-variance", "responsibility" })
                if (args.Has(other)) throw new UsageException($"--{other} needs a learned prior (--prior mog or vamp).");
        SoftIntroOptions options;
        if (data.IsToy)
        {
            if (!SoftIntroPresets.ToyDatasetNames.Contains(data.Name))
                throw new UsageException($"Soft-IntroVAE has 2-D presets for {string.Join(", ", SoftIntroPresets.ToyDatasetNames)}; '{data.Name}' has none.");
            options = learned ? SoftIntroPresets.ToyLearnedPrior(data.Name) : SoftIntroPresets.Toy(data.Name);
        }
        else if (data.SampleShape.SequenceEqual(new long[] { 1, 28, 28 }))
        {
            int perEpoch = (int)Math.Max(1, data.Train!.Count / 128);
            options = SoftIntroPresets.FashionMnist(learned, perEpoch);
        }
        else
        {
            throw new UsageException($"Soft-IntroVAE has presets for the 2-D toys and 28×28×1 images; '{data.Name}' has samples of shape [{string.Join(", ", data.SampleShape)}]. Use the library API for other shapes.");
        }
        if (learned)
        {
            options.PriorKind = prior == "vamp" ? SoftIntroPriorKind.Vamp : SoftIntroPriorKind.Mixture;
            if (args.GetLong("components", 1, MaxComponents) is long k) options.Components = (int)k;
            options.ClipPriorVariance = args.Has("clip-variance");
            options.ResponsibilityWeight = args.GetDouble("responsibility", 0, 1e6) ?? 0;
        }
        if (args.GetLong("latent-dim", 1, 4096) is long d) options.LatentDim = (int)d;
        if (args.GetLong("batch-size", 2, 1 << 20) is long b) options.BatchSize = (int)b;
        if (args.GetDouble("lr", 0, 10) is double lr) { options.LearningRate = lr; options.PriorLearningRate = lr; }
        long presetIterations = options.Iterations;
        options.Iterations = CliModelFactory.ResolveIterations(args, data, options.BatchSize, presetIterations);
        long? warmup = args.GetLong("warmup", 0, 100_000_000);
        long[]? milestones = ParseMilestones(args.Get("lr-milestones"));
        if (options.Iterations != presetIterations)
        {
            // Keep the schedule's proportions (warm-up, milestones, Vamp conversion) when the budget changes,
            // except for what was given explicitly.
            double f = (double)options.Iterations / presetIterations;
            options.WarmupIterations = (long)Math.Round(options.WarmupIterations * f);
            options.LrMilestones = options.LrMilestones.Select(m => Math.Max(1, (long)Math.Round(m * f))).ToArray();
        }
        if (warmup is long w) options.WarmupIterations = w;
        if (milestones is not null) options.LrMilestones = milestones;
        if (warmup is long w2 && w2 >= options.Iterations)
            throw new UsageException($"--warmup {w2} leaves no introspective iterations in a run of {options.Iterations}.");
        if (options.Iterations != presetIterations || warmup is not null)
            options.VampConversionLead = Math.Min(options.VampConversionLead, Math.Max(0, options.WarmupIterations - 1));
        options.Validate();
        var model = new SoftIntroVae(options, device);
        try
        {
            var program = SoftIntroTraining.CreateProgram(model, options);
            string priorText = learned ? $", {prior} prior K={options.Components}{(options.ClipPriorVariance ? ", clipped" : "")}{(options.ResponsibilityWeight > 0 ? $", λ_H={options.ResponsibilityWeight:g3}" : "")}" : "";
            return new TrainingSetup(model, program, options.BatchSize, options.Iterations,
                $"soft-intro (latent {options.LatentDim}, batch {options.BatchSize}, lr {options.LearningRate:g3}{priorText}, {options.DescribeSchedule()}, {model.parameters().Sum(p => p.numel()):N0} parameters)")
            {
                PrepareFreshRun = source => SoftIntroTraining.InitializePrior(model, source),
                Settings = new Dictionary<string, string>
                {
                    ["prior"] = prior,
                    ["components"] = learned ? TrainingSetup.Format(options.Components) : "-",
                    ["clip-variance"] = TrainingSetup.Format(learned && options.ClipPriorVariance),
                    ["responsibility"] = learned ? TrainingSetup.Format(options.ResponsibilityWeight) : "-",
                    ["latent-dim"] = TrainingSetup.Format(options.LatentDim),
                    ["batch-size"] = TrainingSetup.Format(options.BatchSize),
                    ["lr"] = TrainingSetup.Format(options.LearningRate),
                    ["prior-lr"] = TrainingSetup.Format(options.PriorLearningRate),
                },
            };
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
