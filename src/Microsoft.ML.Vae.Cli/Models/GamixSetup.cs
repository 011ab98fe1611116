using Microsoft.ML.Vae.Cli.CommandLine;
using Microsoft.ML.Vae.Cli.Data;
using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Cli.Models;

/// <summary>--model gamix: GAMIX-VAE (mixture posterior, variance regularizer, optional PatchGAN) for images.</summary>
internal static class GamixSetup
{
    public static TrainingSetup Create(ParsedArguments args, CliData data, Device device)
    {
        foreach (var other in new[] { "prior", "components", "clip-variance", "responsibility", "decoupled-prior", "authors-loss", "posterior-normalization", "mse-weight", "alpha", "beta", "gamma", "warmup", "lr-milestones" })
            if (args.Has(other)) throw new UsageException($"--{other} does not apply to gamix.");
        var shape = data.SampleShape;
        if (shape.Length != 3)
            throw new UsageException($"gamix trains on images [C,H,W]; '{data.Name}' has samples of shape [{string.Join(", ", shape)}].");
        bool patchGan = args.Has("patch-gan");
        var options = shape[1] == 256 && shape[2] == 256 ? GamixPresets.Faces256(patchGan) : GamixPresets.SmallImages(shape, patchGan);
        if (args.GetLong("latent-dim", 8, 4096) is long d) options.LatentDim = (int)d;
        if (args.GetLong("batch-size", 2, 1 << 20) is long b) options.BatchSize = (int)b;
        if (args.GetDouble("lr", 0, 10) is double lr) { options.LearningRate = lr; options.DiscriminatorLearningRate = lr; }
        options.Iterations = CliModelFactory.ResolveIterations(args, data, options.BatchSize, Math.Min(options.Iterations, 20_000));
        options.Validate();
        var model = new GamixVae(options, device);
        try
        {
            var program = GamixTraining.CreateProgram(model, options);
            return new TrainingSetup(model, program, options.BatchSize, options.Iterations,
                $"{options.Kind}{(patchGan ? " + PatchGAN" : "")} (latent {options.LatentDim}, batch {options.BatchSize}, lr {options.LearningRate:g3}, {model.parameters().Sum(p => p.numel()):N0} parameters)")
            {
                Settings = new Dictionary<string, string>
                {
                    ["patch-gan"] = TrainingSetup.Format(patchGan),
                    ["latent-dim"] = TrainingSetup.Format(options.LatentDim),
                    ["batch-size"] = TrainingSetup.Format(options.BatchSize),
                    ["lr"] = TrainingSetup.Format(options.LearningRate),
                    ["discriminator-lr"] = TrainingSetup.Format(options.DiscriminatorLearningRate),
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
