using Microsoft.ML.Vae.Core.Training;

namespace Microsoft.ML.Vae;

/// <summary>How an estimator trains its VAE during <c>Fit</c>. Defaults are documented per member.</summary>
public sealed class VaeTrainingOptions
{
    /// <summary>Optimization steps; null (the default) uses the model options' own iteration count.</summary>
    public long? Iterations { get; set; }

    /// <summary>
    /// Seed of weight initialization, shuffling and sampling; null (the default) draws one from the
    /// <see cref="MLContext"/>, so <c>new MLContext(seed: s)</c> makes training repeatable.
    /// </summary>
    public long? Seed { get; set; }

    /// <summary>libtorch intra-op threads; null (the default) leaves the current setting.</summary>
    public int? Threads { get; set; }

    /// <summary>Report loss terms every this many steps (default 100).</summary>
    public int LogInterval { get; set; } = 100;

    /// <summary>Receives progress reports during training (default none).</summary>
    public IProgress<TrainingProgress>? Progress { get; set; }

    /// <summary>Stops training early at a step boundary; the model trained so far is kept (default none).</summary>
    public CancellationToken CancellationToken { get; set; }

    /// <summary>Train on at most this many rows of the data (default null: all rows).</summary>
    public long? MaxRows { get; set; }

    /// <summary>Reaction to a NaN or infinite loss (default <see cref="NanPolicy.Throw"/>).</summary>
    public NanPolicy NanPolicy { get; set; } = NanPolicy.Throw;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Iterations is < 1) throw new ArgumentException($"Iterations must be at least 1 (got {Iterations}).", nameof(Iterations));
        if (Threads is < 1) throw new ArgumentException($"Threads must be at least 1 (got {Threads}).", nameof(Threads));
        if (LogInterval < 1) throw new ArgumentException($"LogInterval must be at least 1 (got {LogInterval}).", nameof(LogInterval));
        if (MaxRows is < 1) throw new ArgumentException($"MaxRows must be at least 1 (got {MaxRows}).", nameof(MaxRows));
        if (!Enum.IsDefined(NanPolicy)) throw new ArgumentException($"Unknown NanPolicy {NanPolicy}.", nameof(NanPolicy));
    }
}
