using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

/// <summary>
/// The Laplace likelihood implied by GAMIX's reconstruction loss λ·MAE, scored on data in [0, 1].
/// </summary>
/// <remarks>
/// The generator loss is a batch mean of per-sample terms; per sample the reconstruction part is
/// (λ/D)·Σ_i |x'_i − x̂'_i| on the [−1, 1] scale x' = 2x − 1, with D = C·H·W elements. A Laplace density
/// with scale b' has −log p(x'|z) = Σ_i |x'_i − x̂'_i| / b' + D·log(2b'), so the per-element weight
/// w = λ/D corresponds to b' = 1/w = D/λ in [−1, 1] units. Changing variables to x = (x' + 1)/2 adds
/// the Jacobian log|dx'/dx| = log 2 per dimension: log p(x|z) = log p(x'|z) + D·log 2, which is the
/// Laplace density in x with location x̂ = (x̂' + 1)/2 and scale b = b'/2 = D/(2λ).
/// For the paper's 256×256×3 images (D = 196,608, λ = 5000) b' ≈ 39.3: the weight per pixel is small
/// against the latent terms, so the implied likelihood is very broad and its NLL is dominated by the
/// normalizer, not by the reconstructions. For 28×28×1 (D = 784) b' = 0.157.
/// </remarks>
public sealed class GamixObservationModel : IObservationModel
{
    /// <summary>Creates the likelihood for reconstruction weight λ and <paramref name="elementsPerSample"/> = D.</summary>
    public GamixObservationModel(double reconstructionWeight, long elementsPerSample)
    {
        if (!(reconstructionWeight > 0) || double.IsInfinity(reconstructionWeight))
            throw new ArgumentOutOfRangeException(nameof(reconstructionWeight), $"The reconstruction weight must be positive and finite, got {reconstructionWeight}.");
        if (elementsPerSample <= 0)
            throw new ArgumentOutOfRangeException(nameof(elementsPerSample), $"The number of elements per sample must be positive, got {elementsPerSample}.");
        ReconstructionWeight = reconstructionWeight;
        ElementsPerSample = elementsPerSample;
    }

    /// <summary>λ, the weight of the mean absolute error.</summary>
    public double ReconstructionWeight { get; }

    /// <summary>D, the elements of one sample.</summary>
    public long ElementsPerSample { get; }

    /// <summary>The L1 weight per element and sample on the [−1, 1] scale: w = λ/D.</summary>
    public double PerElementWeight => ReconstructionWeight / ElementsPerSample;

    /// <summary>The Laplace scale in [−1, 1] units: b' = 1/w = D/λ.</summary>
    public double ModelScale => ElementsPerSample / ReconstructionWeight;

    /// <summary>The Laplace scale in data ([0, 1]) units: b = b'/2.</summary>
    public double Scale => ModelScale / 2;

    /// <summary>
    /// log p(x | decoded) per sample [N] for data and decoder output (<see cref="GamixVae.Decode"/>) both in
    /// [0, 1] units: −Σ_i |x_i − decoded_i| / b − D·log(2b).
    /// </summary>
    public Tensor LogLikelihood(Tensor x, Tensor decoded)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(decoded);
        if (x.dim() < 2 || !x.shape.SequenceEqual(decoded.shape))
            throw new ArgumentException(
                $"Data [{string.Join(", ", x.shape)}] and decoded [{string.Join(", ", decoded.shape)}] must be equal-shaped batches [N, ...].");
        long elements = x.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
        if (elements != ElementsPerSample)
            throw new ArgumentException($"The likelihood was built for {ElementsPerSample} elements per sample, got {elements}.");
        double b = Scale;
        double normalizer = elements * Math.Log(2 * b);
        using var scope = torch.NewDisposeScope();
        var absolute = (x - decoded).abs().flatten(1).sum(1);
        return (absolute * (-1.0 / b) - normalizer).MoveToOuterDisposeScope();
    }

    /// <summary>Decoder output (in [0, 1] units) clamped to [0, 1] for display (a new tensor).</summary>
    public Tensor ToData(Tensor decoded)
    {
        ArgumentNullException.ThrowIfNull(decoded);
        return decoded.clamp(0, 1);
    }
}
