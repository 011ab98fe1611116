using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>Shared checks and batching for <see cref="IFeatureExtractor"/> implementations.</summary>
public static class FeatureExtraction
{
    // Values this far outside [0, 1] are rounding, not a wrong range (e.g. [-1, 1] or [0, 255]).
    private const double RangeSlack = 1e-4;

    /// <summary>Describes a sample shape as "C×H×W" for messages.</summary>
    public static string Describe(ReadOnlySpan<long> sampleShape) => string.Join("×", sampleShape.ToArray());

    /// <summary>
    /// Throws a clear <see cref="ArgumentException"/> unless <paramref name="images"/> is a
    /// floating-point [N, C, H, W] batch with N ≥ 1 and values within [0, 1].
    /// </summary>
    public static void ValidateImages(Tensor images, string paramName = "images")
    {
        ArgumentNullException.ThrowIfNull(images, paramName);
        if (images.Dim != 4)
            throw new ArgumentException($"Images must be a 4-D [N, C, H, W] batch, not {images}.", paramName);
        if (!images.DType.IsFloatingPoint())
            throw new ArgumentException($"Images must be floating point with values in [0, 1], not {images.DType}.", paramName);
        if (images.Size(0) == 0)
            throw new ArgumentException("The image set is empty.", paramName);
        using var scope = Torch.NewDisposeScope();
        double min = images.Min().Item(), max = images.Max().Item();
        if (double.IsNaN(min) || double.IsNaN(max) || min < -RangeSlack || max > 1 + RangeSlack)
            throw new ArgumentException(
                $"Image values must lie in [0, 1] but range over [{min:G4}, {max:G4}]; map them with the model's observation (ToData) or FidInputs.Quantize.", paramName);
    }

    /// <summary>
    /// Runs <paramref name="perBatch"/> over slices of at most <paramref name="batchSize"/> images
    /// (each inside its own dispose scope and no-grad) and concatenates the float32 CPU results [N, k].
    /// </summary>
    public static Tensor InBatches(Tensor images, int batchSize, Func<Tensor, Tensor> perBatch)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(perBatch);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), "The batch size must be positive.");
        long n = images.Size(0);
        var parts = new List<Tensor>();
        try
        {
            using (Torch.NoGrad())
            {
                for (long start = 0; start < n; start += batchSize)
                {
                    using var scope = Torch.NewDisposeScope();
                    var batch = images.Narrow(0, start, Math.Min(batchSize, n - start));
                    var features = perBatch(batch);
                    var flat = features.Reshape(features.Size(0), -1).To(DType.Float32, Device.Cpu);
                    parts.Add(flat.DetachFromScope());
                }
            }
            return parts.Count == 1 ? parts[0].Alias() : Tensor.Cat(parts, 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }
}
