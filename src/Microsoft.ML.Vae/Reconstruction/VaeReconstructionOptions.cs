namespace Microsoft.ML.Vae;

/// <summary>Settings of the reconstruction transform. Defaults are documented per member.</summary>
public sealed class VaeReconstructionOptions
{
    /// <summary>Factor applied to input values before encoding (default 1/255: pixel values 0–255 become [0, 1]).</summary>
    public float InputScale { get; set; } = 1f / 255;

    /// <summary>
    /// Factor applied to the reconstruction in the model's data range (default 255: [0, 1] images become
    /// 0–255 values, which ConvertToImage takes with its default scale and offset). Use 1 for vector data.
    /// </summary>
    public float OutputScale { get; set; } = 255;

    /// <summary>
    /// Repeat the plane of single-plane (gray) images into red, green and blue planes (default true), since
    /// ConvertToImage expects three planes.
    /// </summary>
    public bool ExpandGrayscaleToRgb { get; set; } = true;

    /// <summary>A copy.</summary>
    public VaeReconstructionOptions Clone() => (VaeReconstructionOptions)MemberwiseClone();

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!float.IsFinite(InputScale) || InputScale == 0)
            throw new ArgumentException($"InputScale must be finite and non-zero (got {InputScale}).", nameof(InputScale));
        if (!float.IsFinite(OutputScale) || OutputScale == 0)
            throw new ArgumentException($"OutputScale must be finite and non-zero (got {OutputScale}).", nameof(OutputScale));
    }
}
