using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;

namespace Microsoft.ML.Vae.Cli.Models;

/// <summary>A model ready to train: the model, its training program and the loop sizes.</summary>
internal sealed record TrainingSetup(IPersistableModel Model, ITrainingProgram Program, int BatchSize, long Iterations, string Description);
