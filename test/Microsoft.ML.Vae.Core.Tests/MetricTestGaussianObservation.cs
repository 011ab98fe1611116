using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// The likelihood x ~ N(decoded, σ² I) summed over every element of a sample; ToData clamps to
/// [<c>low</c>, <c>high</c>] (unbounded by default).
/// </summary>
internal sealed class MetricTestGaussianObservation(double std, double low = double.NegativeInfinity, double high = double.PositiveInfinity) : IObservationModel
{
    public Tensor LogLikelihood(Tensor x, Tensor decoded)
    {
        using var scope = Torch.NewDisposeScope();
        var perElement = DiagonalGaussian.LogDensity(x, decoded, Torch.FullLike(x, 2 * Math.Log(std)));
        return perElement.Flatten(1).Sum(1).MoveToOuterScope();
    }

    public Tensor ToData(Tensor decoded) =>
        double.IsInfinity(low) && double.IsInfinity(high) ? decoded.Clone() : decoded.Clamp(low, high);
}
