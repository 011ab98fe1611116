namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>The value range a TorchScript feature network expects its input in.</summary>
public enum InceptionInputRange
{
    /// <summary>
    /// [0, 1]: for a module that normalizes internally, as pytorch-fid's <c>InceptionV3</c> does with
    /// its default <c>normalize_input=True</c> (it maps [0, 1] to [−1, 1] itself).
    /// </summary>
    ZeroToOne = 0,

    /// <summary>[−1, 1]: for a module exported with <c>normalize_input=False</c>; the extractor computes 2x − 1.</summary>
    MinusOneToOne = 1,
}

/// <summary>Settings of <see cref="TorchScriptInceptionExtractor"/>. Defaults match pytorch-fid's pool3 features.</summary>
public sealed class InceptionExtractorOptions
{
    /// <summary>Length of the feature vector the module returns (default 2048, Inception-v3 pool3).</summary>
    public int FeatureDimension { get; set; } = 2048;

    /// <summary>Side of the square input the module gets (default 299, bilinear resize, align_corners = false).</summary>
    public int InputSize { get; set; } = 299;

    /// <summary>Range the images are scaled to before the module sees them (default [0, 1], see <see cref="InceptionInputRange"/>).</summary>
    public InceptionInputRange InputRange { get; set; } = InceptionInputRange.ZeroToOne;

    /// <summary>Images per forward pass (default 50, pytorch-fid's default batch).</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>
    /// Runs the module in training mode (default false: standard FID, batch norm with its running
    /// statistics). True reproduces the "fid_inception_train" variant of the prior-learning code, where
    /// batch norm uses each batch's statistics. Only a scripted module can switch; a traced one keeps
    /// the mode it was traced in (see docs/metrics-fid.md).
    /// </summary>
    public bool TrainingMode { get; set; }

    /// <summary>Name reported with the features (default "inception-v3").</summary>
    public string Name { get; set; } = "inception-v3";

    internal void Validate()
    {
        if (FeatureDimension <= 0) throw new ArgumentOutOfRangeException(nameof(FeatureDimension), "The feature dimension must be positive.");
        if (InputSize <= 0) throw new ArgumentOutOfRangeException(nameof(InputSize), "The input size must be positive.");
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), "The batch size must be positive.");
        if (!Enum.IsDefined(InputRange)) throw new ArgumentOutOfRangeException(nameof(InputRange), $"Unknown input range {InputRange}.");
        if (string.IsNullOrWhiteSpace(Name)) throw new ArgumentException("The feature name must not be empty.", nameof(Name));
    }
}
