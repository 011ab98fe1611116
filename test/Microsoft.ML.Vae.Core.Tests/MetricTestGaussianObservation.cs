using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// The likelihood x ~ N(decoded, σ² I) summed over every element of a sample; ToData clamps to
/// [<c>low</c>, <c>high</c>] (unbounded by default).
/// </summary>
internal sealed class MetricTestGaussianObservation(double std, double low = double.NegativeInfinity, double high = double.PositiveInfinity) : IObservationModel
{
    public Tensor LogLikelihood(Tensor x, Tensor decoded)
    {
        using var scope = torch.NewDisposeScope();
        var perElement = DiagonalGaussian.LogDensity(x, decoded, torch.full_like(x, 2 * Math.Log(std)));
        return perElement.flatten(1).sum(1).MoveToOuterDisposeScope();
    }

    public Tensor ToData(Tensor decoded) =>
        double.IsInfinity(low) && double.IsInfinity(high) ? decoded.clone() : decoded.clamp(low, high);
}
