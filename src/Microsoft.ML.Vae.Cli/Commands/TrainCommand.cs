using System.Diagnostics;
using Microsoft.ML.Vae.Cli.CommandLine;
using Microsoft.ML.Vae.Cli.Data;
using Microsoft.ML.Vae.Cli.Models;
using Microsoft.ML.Vae.Cli.Output;
using Microsoft.ML.Vae.Core.Imaging;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Cli.Commands;

/// <summary>vae train: trains a model and writes model.zip, samples.png, history.csv and a loss curve.</summary>
internal sealed class TrainCommand : ICommand
{
    public string Name => "train";
    public string Summary => "train a model on a dataset";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("model", false, "vae | beta-h | beta-b | beta-tc | factor | info | soft-intro | gamix", "kind"),
        new("decoupled-prior", true, "use the decoupled flow prior (dpVAE family)"),
        new("posterior-normalization", true, "with --decoupled-prior: standardize the latents by the posterior's running mean/std before the flow"),
        new("authors-loss", true, "beta-tc: the authors' exact loss (no flow log-det in the TC term, their two weight-indexing quirks)"),
        new("mse-weight", false, "dpVAE family: weight w of the reconstruction term w·SSE (default: the released configuration's)", "w"),
        new("alpha", false, "dpVAE family: α (β-TCVAE MI weight, InfoVAE mix; default: released)", "x"),
        new("beta", false, "dpVAE family: β (KL weight, β-TCVAE TC weight; default: released)", "x"),
        new("gamma", false, "dpVAE family: γ (capacity, β-TCVAE dimension-wise KL, FactorVAE TC weight; default: released)", "x"),
        new("prior", false, "soft-intro prior: standard | mog | vamp", "kind"),
        new("components", false, "mixture components K of a learned prior", "k"),
        new("clip-variance", true, "adaptive variance clipping of the learned prior"),
        new("responsibility", false, "responsibility regularization weight λ_H", "w"),
        new("patch-gan", true, "gamix: add the PatchGAN discriminator"),
        new("warmup", false, "soft-intro: plain-VAE warm-up iterations, as given (not scaled by --iterations)", "n"),
        new("lr-milestones", false, "soft-intro: learning-rate milestones, as given (not scaled by --iterations)", "a,b,..."),
        new("data", false, "dataset (see 'vae --help')", "dataset"),
        new("latent-dim", false, "latent dimension", "n"),
        new("iterations", false, "training iterations", "n"),
        new("epochs", false, "training epochs (finite data sets)", "n"),
        new("batch-size", false, "mini-batch size", "n"),
        new("lr", false, "learning rate", "x"),
        new("limit", false, "use only the first N training samples (finite data sets)", "n"),
        new("log-interval", false, "steps between progress lines (default 100)", "n"),
        new("checkpoint-interval", false, "steps between checkpoints (default: only at the end)", "n"),
        new("resume", true, "continue the run in <out>/checkpoints: options left out come from it; more --iterations extend it; changes to the run are refused"),
        CommonOptions.Seed, CommonOptions.Device, CommonOptions.Threads,
        new("out", false, "output folder", "dir"),
    ];

    public int Run(ParsedArguments args, CancellationToken cancellationToken)
    {
        var outDir = args.Require("out");
        var output = Console.Out;
        var checkpointDirectory = Path.Combine(outDir, "checkpoints");
        // A resume continues the recorded run: its options are the base, the ones given now must not change it.
        var resumePoint = args.Has("resume") ? RunSettings.FindCheckpoint(checkpointDirectory) : null;
        var recorded = resumePoint?.Recorded;
        // (Checkpoints that exist but cannot be read are left to the trainer, which names what is wrong with each.)
        if (args.Has("resume") && resumePoint is null && Core.Training.CheckpointFile.List(checkpointDirectory).Count == 0)
            output.WriteLine($"no checkpoint to resume in {checkpointDirectory}; starting a fresh run");
        if (recorded is not null) RunSettings.RequireSameIdentity(recorded, args, resumePoint!.Value.Path);
        var runArgs = recorded is not null ? RunSettings.Merge(Name, args, recorded) : args;

        var dataSpec = runArgs.Require("data");
        var device = CommonOptions.ApplyRuntime(args);
        long seed = runArgs.GetLong("seed", 0) ?? 0;
        long? limit = runArgs.GetLong("limit", 1);
        torch.manual_seed(seed);
        using var data = CliDatasets.Resolve(dataSpec, limit);
        if (data.IsToy && limit is not null)
            throw new UsageException($"--limit caps a finite data set; '{data.Name}' is sampled afresh every batch, so there is nothing to limit.");
        var setup = CliModelFactory.Create(runArgs, data, device);
        using var model = setup.Model;
        using var program = setup.Program;
        var settings = RunSettings.Record(runArgs, setup, data, seed);
        if (resumePoint is { } point)
        {
            if (setup.Iterations < point.Step)
                throw new UsageException(
                    $"--resume: the checkpoint {Path.GetFileName(point.Path)} has already finished {point.Step:N0} steps, more than the {setup.Iterations:N0} iterations asked for; " +
                    $"ask for at least {point.Step:N0} (or leave --iterations out to finish the run's own count).");
            if (recorded is null)
                output.WriteLine($"warning: {Path.GetFileName(point.Path)} records no run settings (an older version wrote it); the options given now are not checked against it");
            else
            {
                RunSettings.RequireSameRun(recorded, settings, args, point.Path);
                long? before = RunSettings.Iterations(recorded);
                if (before is long b && b != setup.Iterations)
                    output.WriteLine($"resuming at step {point.Step:N0} with {setup.Iterations:N0} iterations instead of the run's {b:N0}");
            }
        }
        Directory.CreateDirectory(outDir);
        output.WriteLine($"training {setup.Description} on {data.Name} for {setup.Iterations:N0} iterations ({torch.get_num_threads()} threads, {Devices.Describe(device)})");

        var options = new TrainerOptions
        {
            Iterations = setup.Iterations,
            LogInterval = (int)(args.GetLong("log-interval", 1, int.MaxValue) ?? Math.Clamp(setup.Iterations / 50, 1, 100)),
            CheckpointInterval = args.GetLong("checkpoint-interval", 1) ?? 0,
            CheckpointDirectory = checkpointDirectory,
            Resume = args.Has("resume"),
            Seed = seed,
            Device = device,
            RunSettings = settings,
        };
        using DisposableSource source = data.Sampler is not null
            ? new DisposableSource(new SamplerBatchSource(data.Sampler, setup.BatchSize, device))
            : new DisposableSource(new DatasetBatchSource(data.Train!, setup.BatchSize, shuffle: true, dropLast: true, seed: seed, device: device));
        if (resumePoint is null) setup.PrepareFreshRun?.Invoke(source);
        var trainer = new Trainer(program, options);
        var watch = Stopwatch.StartNew();
        var result = ProgressView.Run(setup.Iterations, output, p => trainer.Train(source, p, cancellationToken));
        watch.Stop();

        var modelPath = Path.Combine(outDir, "model.zip");
        ModelStore.Save(model, modelPath, result.History);
        result.History.SaveCsv(Path.Combine(outDir, "history.csv"));
        WriteLossCurve(result.History, Path.Combine(outDir, "loss-curve.svg"), setup.Description);
        using (var samples = SampleWriter.Draw(model, model.SampleShape.Length == 3 ? 64 : 5000))
            SampleWriter.Write(Path.Combine(outDir, "samples.png"), samples, model, SampleWriter.PlotRangeFor(data.Name));
        output.WriteLine(result.Cancelled
            ? $"cancelled at step {result.FinalStep}; checkpoint {result.CheckpointPath}; partial model written to {modelPath}"
            : $"done in {watch.Elapsed.TotalSeconds:F1} s: {ProgressView.FormatTerms(result.FinalTerms)}");
        output.WriteLine($"wrote {modelPath}, samples.png, history.csv, loss-curve.svg");
        return result.Cancelled ? 130 : 0;
    }

    private static void WriteLossCurve(TrainingHistory history, string path, string title)
    {
        var series = history.Columns
            .Select(c => (Name: c, Points: history.Series(c)))
            .Where(s => s.Points.Count > 1)
            .ToList();
        if (series.Count > 0) LossCurve.SaveSvg(path, series, title);
    }

    /// <summary>Gives batch sources without IDisposable a uniform using-pattern.</summary>
    private sealed class DisposableSource(IBatchSource inner) : IBatchSource, IDisposable
    {
        public Tensor Next() => inner.Next();
        public string SaveState() => inner.SaveState();
        public void RestoreState(string state) => inner.RestoreState(state);
        public void Dispose() => (inner as IDisposable)?.Dispose();
    }
}
