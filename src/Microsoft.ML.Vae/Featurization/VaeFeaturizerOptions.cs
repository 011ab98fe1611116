using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Mapping;

namespace Microsoft.ML.Vae;

/// <summary>
/// Settings of a VAE featurizer besides its model: the output, how the input is scaled, and how the VAE is
/// trained during <c>Fit</c> (seed, threads, progress, cancellation). The model itself (and the number of
/// training steps) is given by the catalog call: its parameters (<c>Vae(..., latentDim, iterations)</c>) or its
/// model options (<c>DpVae(..., DpVaeOptions)</c>). Defaults are documented per member.
/// </summary>
public sealed class VaeFeaturizerOptions
{
    /// <summary>
    /// Name of an extra output column holding the posterior log-variance log σ²(x) (a vector of the latent
    /// size); null (the default) outputs only the mean.
    /// </summary>
    public string? LogVarianceColumnName { get; set; }

    /// <summary>
    /// Factor applied to input values before they reach the model (default 1/255: pixel values 0–255, as
    /// ExtractPixels and raw bytes give, become the [0, 1] range the image models are trained on). Use 1 for
    /// inputs already in the model's range.
    /// </summary>
    public float InputScale { get; set; } = DefaultInputScale;

    /// <summary>The default <see cref="InputScale"/>: 1/255, for 0–255 pixels.</summary>
    public const float DefaultInputScale = 1f / 255;

    /// <summary>
    /// Seed of weight initialization, shuffling and sampling; null (the default) draws one from the
    /// <see cref="MLContext"/>, so <c>new MLContext(seed: s)</c> makes training repeatable.
    /// </summary>
    public long? Seed { get; set; }

    /// <summary>libtorch intra-op threads; null (the default) leaves the current setting.</summary>
    public int? Threads { get; set; }

    /// <summary>
    /// Report loss terms every this many steps (default 100), to <see cref="MLContext.Log"/> (as Info messages of
    /// the source "Microsoft.ML.Vae.Featurizer") and to <see cref="Progress"/>.
    /// </summary>
    public int LogInterval { get; set; } = 100;

    /// <summary>Also receives the progress reports, synchronously on the training thread (default none).</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>
    /// Stops training early at a step boundary; the model trained so far is kept and the featurizer is
    /// returned (default none). Cancelling the <see cref="MLContext"/> itself (as AutoML does) instead makes
    /// <c>Fit</c> throw <see cref="OperationCanceledException"/>, like ML.NET's own trainers.
    /// </summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Train on at most this many rows of the data (default null: all rows).</summary>
    public long? MaxRows { get; set; }

    /// <summary>Reaction to a NaN or infinite loss (default <see cref="NanPolicy.Throw"/>).</summary>
    public NanPolicy NanPolicy { get; set; } = NanPolicy.Throw;

    /// <summary>A copy.</summary>
    public VaeFeaturizerOptions Clone() => (VaeFeaturizerOptions)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (LogVarianceColumnName is not null) MappingColumns.CheckUserName(LogVarianceColumnName, nameof(LogVarianceColumnName));
        if (!float.IsFinite(InputScale) || InputScale == 0)
            throw new ArgumentException($"InputScale must be finite and non-zero (got {InputScale}).", nameof(InputScale));
        if (Threads is < 1) throw new ArgumentException($"Threads must be at least 1 (got {Threads}).", nameof(Threads));
        if (LogInterval < 1) throw new ArgumentException($"LogInterval must be at least 1 (got {LogInterval}).", nameof(LogInterval));
        if (MaxRows is < 1) throw new ArgumentException($"MaxRows must be at least 1 (got {MaxRows}).", nameof(MaxRows));
        if (!Enum.IsDefined(NanPolicy)) throw new ArgumentException($"Unknown NanPolicy {NanPolicy}.", nameof(NanPolicy));
    }
}
