using Microsoft.ML.Vae.Core.Evaluation;
using Microsoft.ML.Vae.Mapping;

namespace Microsoft.ML.Vae;

/// <summary>Settings of <see cref="VaeGenerationCatalog.Generate(VaeCatalog, Core.Models.IVaeModel, VaeGenerationOptions?)"/>. Defaults are documented per member.</summary>
public sealed class VaeGenerationOptions
{
    /// <summary>Number of samples (rows) to generate (default 64).</summary>
    public int Count { get; set; } = 64;

    /// <summary>Where samples come from (default <see cref="VaeGenerationMode.Prior"/>); the posterior modes need data.</summary>
    public VaeGenerationMode Mode { get; set; } = VaeGenerationMode.Prior;

    /// <summary>Seed of every random draw; null (the default) draws one from the MLContext. libtorch's CPU generator is restored afterwards (CUDA generators are left reseeded: TorchSharp cannot read their state).</summary>
    public long? Seed { get; set; }

    /// <summary>Factor applied to samples in the model's data range (default 255: [0, 1] images become 0–255 for ConvertToImage). Use 1 for vector data.</summary>
    public float OutputScale { get; set; } = 255;

    /// <summary>Repeat the plane of gray images into three planes (default true; ConvertToImage expects three).</summary>
    public bool ExpandGrayscaleToRgb { get; set; } = true;

    /// <summary>Factor applied to the data column's values before encoding, in the posterior modes (default 1/255).</summary>
    public float InputScale { get; set; } = 1f / 255;

    /// <summary>Rows of the data read for the posterior modes (default 5000).</summary>
    public long MaxDataRows { get; set; } = 5000;

    /// <summary>Samples decoded together in <see cref="VaeGenerationMode.Prior"/> mode (default 500).</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Name of the sample column: planar [planes, H, W] floats for images, else the sample shape (default "Image").</summary>
    public string ImageColumnName { get; set; } = "Image";

    /// <summary>Name of the latent column, z [d] (default "Latent").</summary>
    public string LatentColumnName { get; set; } = "Latent";

    /// <summary>
    /// Name of the score column (default "Score"): log p(z) under the prior in <see cref="VaeGenerationMode.Prior"/> mode;
    /// the sampler's ranking score in the posterior modes.
    /// </summary>
    public string ScoreColumnName { get; set; } = "Score";

    /// <summary>Settings of the low-posterior sampler; null (the default) uses the core defaults.</summary>
    public LowPosteriorOptions? LowPosterior { get; set; }

    /// <summary>Settings of the high-posterior sampler; null (the default) uses the core defaults.</summary>
    public HighPosteriorOptions? HighPosterior { get; set; }

    /// <summary>A shallow copy.</summary>
    public VaeGenerationOptions Clone() => (VaeGenerationOptions)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Count < 1) throw new ArgumentException($"Count must be at least 1 (got {Count}).", nameof(Count));
        if (!Enum.IsDefined(Mode)) throw new ArgumentException($"Unknown mode {Mode}.", nameof(Mode));
        if (!float.IsFinite(OutputScale) || OutputScale == 0) throw new ArgumentException($"OutputScale must be finite and non-zero (got {OutputScale}).", nameof(OutputScale));
        if (!float.IsFinite(InputScale) || InputScale == 0) throw new ArgumentException($"InputScale must be finite and non-zero (got {InputScale}).", nameof(InputScale));
        if (MaxDataRows < 1) throw new ArgumentException($"MaxDataRows must be at least 1 (got {MaxDataRows}).", nameof(MaxDataRows));
        if (BatchSize < 1) throw new ArgumentException($"BatchSize must be at least 1 (got {BatchSize}).", nameof(BatchSize));
        MappingColumns.CheckUserName(ImageColumnName, nameof(ImageColumnName));
        MappingColumns.CheckUserName(LatentColumnName, nameof(LatentColumnName));
        MappingColumns.CheckUserName(ScoreColumnName, nameof(ScoreColumnName));
        if (new[] { ImageColumnName, LatentColumnName, ScoreColumnName }.Distinct(StringComparer.Ordinal).Count() != 3)
            throw new ArgumentException("ImageColumnName, LatentColumnName and ScoreColumnName must differ.", nameof(ImageColumnName));
    }
}
