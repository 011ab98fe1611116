using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;

namespace Microsoft.ML.Vae.Cli.Models;

/// <summary>
/// A model ready to train: the model, its training program, the loop sizes, and an optional
/// preparation that needs the batch source (a data-initialized prior) before a fresh run starts.
/// </summary>
internal sealed record TrainingSetup(IPersistableModel Model, ITrainingProgram Program, int BatchSize, long Iterations, string Description)
{
    public Action<IBatchSource>? PrepareFreshRun { get; init; }
}
