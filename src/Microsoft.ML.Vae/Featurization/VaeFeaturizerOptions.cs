using Microsoft.ML.Vae.Mapping;

namespace Microsoft.ML.Vae;

/// <summary>Output settings of a VAE featurizer. Defaults are documented per member.</summary>
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
    public float InputScale { get; set; } = 1f / 255;

    /// <summary>A copy.</summary>
    public VaeFeaturizerOptions Clone() => (VaeFeaturizerOptions)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (LogVarianceColumnName is not null) MappingColumns.CheckUserName(LogVarianceColumnName, nameof(LogVarianceColumnName));
        if (!float.IsFinite(InputScale) || InputScale == 0)
            throw new ArgumentException($"InputScale must be finite and non-zero (got {InputScale}).", nameof(InputScale));
    }
}
