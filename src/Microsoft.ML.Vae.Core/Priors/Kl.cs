using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// KL divergences between a diagonal-Gaussian posterior q(z|x) = N(mean, diag exp(logVar)) and a
/// prior, per sample ([N]).
/// </summary>
public static class Kl
{
    /// <summary>Closed form KL(q ‖ N(0, I)) = ½ Σ_j (μ_j² + e^{logVar_j} − logVar_j − 1) per row.</summary>
    public static Tensor StandardNormal(Tensor mean, Tensor logVar)
    {
        CheckPair(mean, logVar);
        using var scope = torch.NewDisposeScope();
        var terms = mean.square() + logVar.exp() - logVar - 1.0;
        return (terms.sum(1) * 0.5).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// dpVAE's single-sample estimate of KL(q ‖ p_η) as implemented in the released code (spec §1.3),
    /// per row: −½ Σ_j logVar_j + ½‖g(z)‖² − log|det ∂g/∂z|, for a reparameterized sample z of q.
    /// The constant −d/2 of the exact estimate is dropped (it has no gradient); see
    /// <see cref="DecoupledSingleSampleExact"/>. With the identity map of
    /// <see cref="StandardNormalPrior"/> it estimates the standard-normal KL.
    /// </summary>
    public static Tensor DecoupledSingleSample(IGenerationSpacePrior prior, Tensor z, Tensor logVar)
    {
        ArgumentNullException.ThrowIfNull(prior);
        CheckPair(z, logVar);
        using var scope = torch.NewDisposeScope();
        var (z0, logDet) = prior.ToGenerationSpace(z);
        var estimate = logVar.sum(1) * -0.5 + z0.square().sum(1) * 0.5 - logDet;
        return estimate.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The unbiased single-sample estimate −H[q] − log N(g(z); 0, I) − log|det ∂g/∂z| per row, i.e.
    /// <see cref="DecoupledSingleSample"/> − d/2. Its mean over samples of q converges to the exact KL.
    /// </summary>
    public static Tensor DecoupledSingleSampleExact(IGenerationSpacePrior prior, Tensor z, Tensor logVar)
    {
        using var scope = torch.NewDisposeScope();
        var estimate = DecoupledSingleSample(prior, z, logVar) - 0.5 * z.size(1);
        return estimate.MoveToOuterDisposeScope();
    }

    private static void CheckPair(Tensor a, Tensor logVar)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(logVar);
        if (a.dim() != 2 || !a.shape.SequenceEqual(logVar.shape))
            throw new ArgumentException(
                $"Expected two [N, d] tensors of the same shape, got [{string.Join(", ", a.shape)}] and [{string.Join(", ", logVar.shape)}].");
    }
}
