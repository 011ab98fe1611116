using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// The responsibility (assignment-entropy) regularizer of prior learning (algorithms spec §3.5): the
/// normalized negative entropy of the mean component usage r̄_k = mean_n r_k(z_n),
/// NegEnt = Σ_k r̄_k log(r̄_k + 1e-8) / log K (normalized only when log K &gt; 1, i.e. K ≥ 3).
/// Minimizing it (weight λ_H in the encoder loss) pushes the encoder to use every mode.
/// Uniform usage gives −1 (K ≥ 3), one-hot usage 0.
/// </summary>
public static class Responsibility
{
    /// <summary>Guard inside the logarithm, as in the reference code.</summary>
    public const double LogEpsilon = 1e-8;

    /// <summary>Mean responsibilities r̄ [K] of latents z [N, d] under the mixture.</summary>
    public static Tensor MeanUsage(Tensor z, MixturePriorParameters prior)
    {
        using var scope = torch.NewDisposeScope();
        return MixturePriorDensity.Responsibilities(z, prior).mean(new long[] { 0 }).MoveToOuterDisposeScope();
    }

    /// <summary>The normalized negative entropy (a scalar) of the mean usage <paramref name="meanUsage"/> [K].</summary>
    public static Tensor NormalizedNegativeEntropy(Tensor meanUsage)
    {
        ArgumentNullException.ThrowIfNull(meanUsage);
        if (meanUsage.dim() != 1 || meanUsage.size(0) < 1)
            throw new ArgumentException($"Expected the mean usage of K ≥ 1 components, [K]; got {meanUsage.ShapeString()}.", nameof(meanUsage));
        long k = meanUsage.size(0);
        using var scope = torch.NewDisposeScope();
        var negEntropy = (meanUsage * (meanUsage + LogEpsilon).log()).sum();
        double logK = Math.Log(k);
        if (logK > 1) negEntropy = negEntropy / logK;
        return negEntropy.MoveToOuterDisposeScope();
    }
}
