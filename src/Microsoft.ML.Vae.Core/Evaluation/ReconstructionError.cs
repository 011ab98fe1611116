using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// Reconstruction error: the mean squared error per element (pixel) between the data and the
/// deterministic reconstruction ToData(Decode(μ(x))), using the posterior mean rather than a sample.
/// </summary>
public static class ReconstructionError
{
    /// <summary>Mean over every sample and element of (ToData(Decode(μ(x))) − x)².</summary>
    /// <param name="model">The model (put in evaluation mode).</param>
    /// <param name="data">Data [N, ..SampleShape] (CPU or the model's device).</param>
    /// <param name="batchSize">Samples encoded and decoded together.</param>
    public static double Compute(IVaeModel model, Tensor data, int batchSize = 500)
    {
        long n = EvaluationData.Validate(model, data);
        EvaluationData.RequirePositive(batchSize, nameof(batchSize));
        using var noGrad = torch.no_grad();
        model.SetTraining(false);
        double sum = 0;
        long elements = 0;
        for (long start = 0; start < n; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            long len = Math.Min(batchSize, n - start);
            var x = EvaluationData.Rows(data, start, len, model.Device);
            var (mean, _) = model.Encode(x);
            var reconstruction = model.Observation.ToData(model.Decode(mean));
            if (!reconstruction.shape.AsSpan().SequenceEqual(x.shape))
                throw new InvalidOperationException(
                    $"The model reconstructs [{string.Join(", ", reconstruction.shape)}] from data [{string.Join(", ", x.shape)}].");
            sum += (reconstruction.to(ScalarType.Float64) - x.to(ScalarType.Float64)).square().sum().ToDouble();
            elements += x.numel();
        }
        return sum / elements;
    }
}
