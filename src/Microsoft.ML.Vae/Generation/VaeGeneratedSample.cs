namespace Microsoft.ML.Vae;

/// <summary>
/// One generated row, as read back with <c>mlContext.Data.CreateEnumerable&lt;VaeGeneratedSample&gt;</c>
/// (with the default column names of <see cref="VaeGenerationOptions"/>).
/// </summary>
public sealed class VaeGeneratedSample
{
    /// <summary>The sample: planar [planes, H, W] floats for images (0–255 with the default scale), else the sample's values.</summary>
    public float[] Image { get; set; } = [];

    /// <summary>The latent z it was decoded from.</summary>
    public float[] Latent { get; set; } = [];

    /// <summary>Prior log-density log p(z) (prior mode) or the posterior sampler's ranking score.</summary>
    public float Score { get; set; }
}
