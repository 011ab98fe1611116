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
    /// <summary>
    /// Reads the column (scaled by <paramref name="inputScale"/>), seeds libtorch from the options or the
    /// MLContext, builds the model on the MLContext's device and trains it with the core trainer.
    /// </summary>
    /// <returns>The trained model in evaluation mode; the caller owns it.</returns>
    public static IPersistableModel Train(MLContext mlContext, VaeRecipe recipe, IDataView data, DataViewSchema.Column column,
        float inputScale, VaeTrainingOptions options)
    {
        options.Validate();
        var device = ContextDevice.Resolve(mlContext);
        long seed = ContextSeed.Resolve(mlContext, options.Seed);
        var (values, rows) = ColumnReader.ReadVectors(data, column, checked((int)recipe.SampleSize), inputScale, options.MaxRows);
        using var dataset = TensorDataset.FromArray(values, recipe.SampleShape.ToArray());

        // Weights are initialized when the model is built, so seeding comes first.
        torch.manual_seed(seed);
        var setup = recipe.Create(rows, device);
        try
        {
            using (setup.Program)
            using (var source = new DatasetBatchSource(dataset, recipe.BatchSize, shuffle: true, dropLast: true, seed: seed, device: device))
            {
                setup.Prepare?.Invoke(source);
                var trainer = new Trainer(setup.Program, new TrainerOptions
                {
                    Iterations = options.Iterations ?? recipe.Iterations,
                    LogInterval = options.LogInterval,
                    Seed = seed,
                    Device = device,
                    Threads = options.Threads,
                    NanPolicy = options.NanPolicy,
                });
                trainer.Train(source, options.Progress, options.CancellationToken);
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
}
