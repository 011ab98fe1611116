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

    /// <summary>
    /// The values the family's options ended up with, for what the command line can change (named like the
    /// options: "lr", "latent-dim", ...): recorded in checkpoints so that a resume can refuse to change them.
    /// </summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>A number as recorded in <see cref="Settings"/> (round-trip, invariant culture).</summary>
    public static string Format(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A switch as recorded in <see cref="Settings"/>.</summary>
    public static string Format(bool value) => value ? "on" : "off";
}
