using System.Globalization;
using Microsoft.ML.Runtime;
using Microsoft.ML.Vae.Core.Training;

namespace Microsoft.ML.Vae.Training;

/// <summary>
/// Reports a VAE's training the way ML.NET's trainers do: Info messages on a channel of the context's host
/// (they reach <see cref="MLContext.Log"/>), plus the caller's own <see cref="IProgress{T}"/>.
/// </summary>
internal sealed class TrainingLog(IChannel channel, IProgress<TrainingProgress>? user) : IProgress<TrainingProgress>
{
    /// <summary>A stage message, e.g. "Read 1000 rows of column 'Pixels'".</summary>
    public void Stage(string message) => channel.Info(MessageSensitivity.None, message);

    /// <summary>A warning about the input or the settings (ML.NET's Warning kind, so hosts that filter see it).</summary>
    public void Warning(string message) => channel.Warning(MessageSensitivity.None, message);

    /// <inheritdoc />
    public void Report(TrainingProgress value)
    {
        if (value.Message is { } message) channel.Info(MessageSensitivity.None, message);
        else
        {
            var terms = string.Join(", ", value.Terms.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key}={t.Value:G4}")));
            channel.Info(MessageSensitivity.None, string.Create(CultureInfo.InvariantCulture,
                $"Step {value.Step}/{value.TotalSteps}: {terms} ({value.StepsPerSecond:F1} steps/s, {value.Elapsed.TotalSeconds:F1} s)"));
        }
        user?.Report(value);
    }
}
