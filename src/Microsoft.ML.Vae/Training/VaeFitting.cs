using System.Diagnostics;
using Microsoft.ML.Runtime;
using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Data;
using Microsoft.ML.Vae.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Training;

/// <summary>Trains a <see cref="VaeRecipe"/>'s model on an input column of an <see cref="IDataView"/>.</summary>
internal static class VaeFitting
{
    /// <summary>Name of the host (and source of the log messages) of VAE training.</summary>
    public const string HostName = "Microsoft.ML.Vae.Featurizer";

    private static readonly TimeSpan CancellationPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The default scale 1/255 is for 0–255 pixels; data already in [0, 1] would reach the model as [0, 0.004], where
    /// a VAE learns nothing (its latents collapse to the prior) without any error. Returns the warning for that case.
    /// </summary>
    internal static string? InputScaleLooksWrong(float[] scaled, float inputScale)
    {
        if (inputScale != VaeFeaturizerOptions.DefaultInputScale || scaled.Length == 0) return null;
        float max = 0;
        foreach (float v in scaled) max = Math.Max(max, Math.Abs(v));
        return max > 0 && max <= inputScale * 1.0001f
            ? $"Every input value lies within [-1, 1], but InputScale is 1/255 (for 0–255 pixels), so the model sees values of at most {max:G3}: " +
              "set VaeFeaturizerOptions.InputScale = 1 for data already in the model's range."
            : null;
    }

    /// <summary>
    /// Reads the column (scaled by the options' input scale), seeds libtorch from the options or the context,
    /// builds the model on the context's device and trains it with the core trainer, reporting stages and
    /// progress to the context's log. Cancelling the context stops training with <see cref="OperationCanceledException"/>;
    /// the options' token stops it early and keeps the model.
    /// </summary>
    /// <returns>The trained model in evaluation mode; the caller owns it.</returns>
    public static IPersistableModel Train(VaeEnvironment environment, VaeRecipe recipe, IDataView data, DataViewSchema.Column column,
        VaeFeaturizerOptions options)
    {
        options.Validate();
        var host = environment.Host.Register(HostName);
        var contextCancelled = ContextCancellation.Probe(host);
        using var channel = host.Start("Training");
        var log = new TrainingLog(channel, options.Progress);
        ThrowIfCancelled(contextCancelled);

        var device = ContextDevice.Resolve(environment);
        long seed = ContextSeed.Resolve(environment.Host, options.Seed);
        var clock = Stopwatch.StartNew();
        var (values, rows) = ColumnReader.ReadVectors(data, column, checked((int)recipe.SampleSize), options.InputScale, options.MaxRows);
        log.Stage($"Read {rows} rows of column '{column.Name}' ({recipe.SampleSize} values each) in {clock.Elapsed.TotalSeconds:F1} s.");
        if (InputScaleLooksWrong(values, options.InputScale) is { } warning) log.Warning(warning);
        using var dataset = TensorDataset.FromArray(values, recipe.SampleShape.ToArray());
        ThrowIfCancelled(contextCancelled);

        // Weights are initialized when the model is built, so seeding comes first.
        torch.manual_seed(seed);
        var setup = recipe.Create(rows, device);
        try
        {
            using (setup.Program)
            using (var source = new DatasetBatchSource(dataset, recipe.BatchSize, shuffle: true, dropLast: true, seed: seed, device: device))
            using (var stop = CancellationTokenSource.CreateLinkedTokenSource(options.CancellationToken))
            using (new Timer(_ => { if (contextCancelled()) stop.Cancel(); }, null, CancellationPoll, CancellationPoll))
            {
                log.Stage($"Training a '{recipe.Kind}' model (latent dimension {recipe.LatentDim}, samples [{string.Join(", ", recipe.SampleShape)}]) " +
                    $"for {recipe.Iterations} steps in batches of {recipe.BatchSize} on {device}, seed {seed}.");
                setup.Prepare?.Invoke(source);
                var trainer = new Trainer(setup.Program, new TrainerOptions
                {
                    Iterations = recipe.Iterations,
                    LogInterval = options.LogInterval,
                    Seed = seed,
                    Device = device,
                    Threads = options.Threads,
                    NanPolicy = options.NanPolicy,
                });
                var result = trainer.Train(source, log, stop.Token);
                ThrowIfCancelled(contextCancelled);
                log.Stage(result.Cancelled
                    ? $"Training stopped at step {result.FinalStep} of {recipe.Iterations} (cancelled), after {result.WallTime.TotalSeconds:F1} s."
                    : $"Trained {result.FinalStep} steps in {result.WallTime.TotalSeconds:F1} s.");
            }
            setup.Model.SetTraining(false);
            return setup.Model;
        }
        catch
        {
            setup.Model.Dispose();
            throw;
        }
    }

    private static void ThrowIfCancelled(Func<bool> contextCancelled)
    {
        // The same exception and message as ML.NET's own components on a cancelled context.
        if (contextCancelled()) throw new OperationCanceledException("Operation was cancelled.");
    }
}
