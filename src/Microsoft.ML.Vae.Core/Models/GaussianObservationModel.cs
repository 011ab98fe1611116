using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

/// <summary>
/// The Gaussian likelihood implied by a weighted squared-error reconstruction loss w·SSE:
/// p(x|z) = N(x; x̂, σ² I) with σ² = 1/(2w), so
/// log p(x|z) = −w·Σ(x − x̂)² − (D/2)·log(π/w) and w·SSE is its negative up to the constant.
/// </summary>
public sealed class GaussianObservationModel : IObservationModel
{
    /// <summary>Creates the model for reconstruction weight <paramref name="mseWeight"/>.</summary>
    /// <param name="mseWeight">The weight w of the squared error (positive).</param>
    /// <param name="clampToUnitRange">Whether <see cref="ToData"/> clamps to [0, 1] (images) or passes values through (vectors).</param>
    public GaussianObservationModel(double mseWeight, bool clampToUnitRange)
    {
        if (!(mseWeight > 0) || double.IsInfinity(mseWeight))
            throw new ArgumentOutOfRangeException(nameof(mseWeight), $"The reconstruction weight must be positive and finite, got {mseWeight}.");
        MseWeight = mseWeight;
        ClampToUnitRange = clampToUnitRange;
    }

    /// <summary>The weight w of the squared error.</summary>
    public double MseWeight { get; }

    /// <summary>The observation variance σ² = 1/(2w).</summary>
    public double Variance => 0.5 / MseWeight;

    /// <summary>Whether <see cref="ToData"/> clamps to [0, 1].</summary>
    public bool ClampToUnitRange { get; }

    /// <summary>log N(x; decoded, σ² I) per sample: [N].</summary>
    public Tensor LogLikelihood(Tensor x, Tensor decoded)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(decoded);
        if (x.dim() < 2 || !x.shape.SequenceEqual(decoded.shape))
            throw new ArgumentException(
                $"Data [{string.Join(", ", x.shape)}] and decoded [{string.Join(", ", decoded.shape)}] must be equal-shaped batches [N, ...].");
        long elements = x.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        double constant = 0.5 * elements * Math.Log(Math.PI / MseWeight);
        using var scope = torch.NewDisposeScope();
        var sse = (x - decoded).square().flatten(1).sum(1);
        return (sse * -MseWeight - constant).MoveToOuterDisposeScope();
    }

    /// <summary>Decoder output mapped to the data range: clamped to [0, 1] for images, unchanged otherwise (a new tensor).</summary>
    public Tensor ToData(Tensor decoded)
    {
        ArgumentNullException.ThrowIfNull(decoded);
        return ClampToUnitRange ? decoded.clamp(0, 1) : decoded.alias();
    }
}
