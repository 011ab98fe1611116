using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

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
        if (images.dim() != 4)
            throw new ArgumentException($"Images must be a 4-D [N, C, H, W] batch, not {EvaluationData.Describe(images)}.", paramName);
        if (!torch.is_floating_point(images))
            throw new ArgumentException($"Images must be floating point with values in [0, 1], not {images.dtype}.", paramName);
        if (images.size(0) == 0)
            throw new ArgumentException("The image set is empty.", paramName);
        using var scope = torch.NewDisposeScope();
        double min = images.min().ItemAsDouble(), max = images.max().ItemAsDouble();
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
        long n = images.size(0);
        var parts = new List<Tensor>();
        try
        {
            using (torch.no_grad())
            {
                for (long start = 0; start < n; start += batchSize)
                {
                    using var scope = torch.NewDisposeScope();
                    var batch = images.narrow(0, start, Math.Min(batchSize, n - start));
                    var features = perBatch(batch);
                    var flat = features.reshape(features.size(0), -1).to(ScalarType.Float32, torch.CPU);
                    parts.Add(flat.DetachFromDisposeScope());
                }
            }
            return parts.Count == 1 ? parts[0].alias() : torch.cat(parts, 0);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }
}
