namespace Microsoft.ML.Vae.Core.Persistence;

/// <summary>How <see cref="ModelStore"/> treats a model file it loads or describes.</summary>
public sealed class ModelLoadOptions
{
    /// <summary>
    /// Magnitude above which a stored weight counts as damage, like NaN and ±Inf: 1e30. Trained weights stay many
    /// orders of magnitude below it, and a value near float32's limit (3.4e38) overflows the first layer it feeds.
    /// </summary>
    public const double MaxAbsWeight = 1e30;

    /// <summary>The defaults: suspect weights are refused.</summary>
    public static ModelLoadOptions Default { get; } = new();

    /// <summary>
    /// Accept weights that are NaN, ±Inf or larger in magnitude than <see cref="MaxAbsWeight"/>, to inspect a damaged
    /// file. Default false: such a file is refused with an <see cref="InvalidDataException"/> naming the first bad
    /// weight, because a model built from it would silently produce NaN encodings, samples and metrics.
    /// </summary>
    public bool AllowNonFiniteWeights { get; init; }
}
