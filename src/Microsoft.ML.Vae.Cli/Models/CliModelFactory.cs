using Microsoft.ML.Vae.Cli.CommandLine;
using Microsoft.ML.Vae.Cli.Data;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Cli.Models;

/// <summary>Builds the model named by --model (and its family options) for the data at hand.</summary>
internal static class CliModelFactory
{
    public static readonly string[] ModelNames = ["vae", "beta-h", "beta-b", "beta-tc", "factor", "info", "soft-intro", "gamix"];

    /// <summary>Dataset size assumed by the β-TC estimator for infinite (sampled) data.</summary>
    private const long SampledDataSize = 100_000;

    public static TrainingSetup Create(ParsedArguments args, CliData data, Device device)
    {
        string model = args.GetChoice("model", ModelNames) ?? throw new UsageException("'vae train' needs --model (one of " + string.Join(", ", ModelNames) + ").");
        return model switch
        {
            "gamix" => GamixSetup.Create(args, data, device),
            "soft-intro" => SoftIntroSetup.Create(args, data, device),
            _ => CreateDpVae(model, args, data, device),
        };
    }

    private static TrainingSetup CreateDpVae(string model, ParsedArguments args, CliData data, Device device)
    {
        foreach (var other in new[] { "prior", "components", "clip-variance", "responsibility", "patch-gan", "warmup", "lr-milestones" })
            if (args.Has(other)) throw new UsageException($"--{other} applies to soft-intro or gamix models, not '{model}'.");
        var regularizer = model switch
        {
            "vae" => Regularizer.Vae,
            "beta-h" => Regularizer.BetaH,
            "beta-b" => Regularizer.BetaB,
            "beta-tc" => Regularizer.BetaTc,
            "factor" => Regularizer.Factor,
            "info" => Regularizer.Info,
            _ => throw new UsageException($"Unknown model '{model}'."),
        };
        bool dp = args.Has("decoupled-prior");
        if (args.Has("posterior-normalization") && !dp)
            throw new UsageException("--posterior-normalization applies to the decoupled prior; add --decoupled-prior.");
        if (args.Has("authors-loss") && regularizer != Regularizer.BetaTc)
            throw new UsageException($"--authors-loss applies to beta-tc (the loss whose released code has the quirks it reproduces), not '{model}'.");
        var shape = data.SampleShape;
        DpVaeOptions options;
        if (shape.SequenceEqual(new long[] { 1, 28, 28 }))
        {
            options = DpVaePresets.FashionMnist(regularizer, dp);
        }
        else
        {
            options = new DpVaeOptions
            {
                Regularizer = regularizer,
                DecoupledPrior = dp,
                SampleShape = shape,
                LatentDim = 2,
                Network = NetworkKind.Mlp,
                BatchSize = 512,
                LearningRate = 1e-3,
                Iterations = 10_000,
            };
        }
        options.DatasetSize = data.Train?.Count ?? SampledDataSize;
        if (args.Has("authors-loss")) options.AuthorsExactLoss = true;
        options.PosteriorNormalization = args.Has("posterior-normalization");
        if (args.GetLong("latent-dim", 1, 4096) is long d) options.LatentDim = (int)d;
        if (args.GetLong("batch-size", 2, 1 << 20) is long b) options.BatchSize = (int)b;
        if (args.GetDouble("lr", 0, 10) is double lr) options.LearningRate = lr;
        if (args.GetDouble("mse-weight", 1e-12, 1e12) is double w) options.MseWeight = w;
        if (args.GetDouble("alpha", -1e12, 1e12) is double alpha) options.Alpha = alpha;
        if (args.GetDouble("beta", 0, 1e12) is double beta) options.Beta = beta;
        if (args.GetDouble("gamma", 0, 1e12) is double gamma) options.Gamma = gamma;
        options.Iterations = ResolveIterations(args, data, options.BatchSize, options.Iterations);
        options.Validate();
        var vae = new DpVae(options, device);
        try
        {
            var program = DpVaeTraining.CreateProgram(vae, options);
            return new TrainingSetup(vae, program, options.BatchSize, options.Iterations,
                $"{options.Kind}{(options.PosteriorNormalization ? " with posterior normalization" : "")}{(options.AuthorsExactLoss ? " with the authors' exact loss" : "")} (latent {options.LatentDim}, batch {options.BatchSize}, lr {options.LearningRate:g3}, w_mse {options.MseWeight:g3}, α {options.ResolveAlpha():g3}, β {options.ResolveBeta():g3}, γ {options.ResolveGamma():g3}, {vae.parameters().Sum(p => p.numel()):N0} parameters)")
            {
                Settings = new Dictionary<string, string>
                {
                    ["decoupled-prior"] = TrainingSetup.Format(options.DecoupledPrior),
                    ["authors-loss"] = TrainingSetup.Format(options.AuthorsExactLoss),
                    ["posterior-normalization"] = TrainingSetup.Format(options.PosteriorNormalization),
                    ["latent-dim"] = TrainingSetup.Format(options.LatentDim),
                    ["batch-size"] = TrainingSetup.Format(options.BatchSize),
                    ["lr"] = TrainingSetup.Format(options.LearningRate),
                    ["mse-weight"] = TrainingSetup.Format(options.MseWeight),
                    ["alpha"] = TrainingSetup.Format(options.ResolveAlpha()),
                    ["beta"] = TrainingSetup.Format(options.ResolveBeta()),
                    ["gamma"] = TrainingSetup.Format(options.ResolveGamma()),
                },
            };
        }
        catch
        {
            vae.Dispose();
            throw;
        }
    }

    /// <summary>--iterations, or --epochs converted with the training-set size, or the preset.</summary>
    public static long ResolveIterations(ParsedArguments args, CliData data, int batchSize, long preset)
    {
        if (args.Has("iterations") && args.Has("epochs")) throw new UsageException("Give --iterations or --epochs, not both.");
        if (args.GetLong("iterations", 1, 100_000_000) is long it) return it;
        if (args.GetLong("epochs", 1, 1_000_000) is long ep)
        {
            if (data.Train is null) throw new UsageException($"--epochs needs a finite data set; '{data.Name}' is sampled without end, use --iterations.");
            return Math.Max(1, ep * (data.Train.Count / batchSize));
        }
        return preset;
    }
}
