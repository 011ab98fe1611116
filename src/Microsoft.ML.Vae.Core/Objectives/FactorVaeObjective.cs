using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Microsoft.ML.Vae.Core.Training;

namespace Microsoft.ML.Vae.Core.Objectives;

/// <summary>
/// FactorVAE (Kim &amp; Mnih) as in the dpVAE code (spec §1.4): the VAE minimizes
/// w·SSE + Σ_batch KL + γ·mean_i[D(z_i)_0 − D(z_i)_1], where the discriminator's logit difference
/// estimates the total correlation; the discriminator learns to tell samples of q(z) (class 0) from
/// dimension-permuted samples (class 1).
/// </summary>
public static class FactorVaeObjective
{
    /// <summary>Class index of samples from q(z).</summary>
    public const long JointClass = 0;

    /// <summary>Class index of dimension-permuted samples.</summary>
    public const long PermutedClass = 1;

    /// <summary>
    /// The VAE's terms "reconstruction", "kl" (batch sum) and "tc" (mean logit difference of
    /// <paramref name="discriminatorLogits"/> = D(z), [N, 2]); total = reconstruction + kl + γ·tc.
    /// </summary>
    public static LossTerms VaeLoss(Tensor reconstruction, Tensor x, Tensor klPerSample, Tensor discriminatorLogits, double mseWeight, double gamma)
    {
        ObjectiveChecks.PerSample(klPerSample, x, nameof(klPerSample));
        ObjectiveChecks.Weight(gamma, nameof(gamma));
        CheckLogits(discriminatorLogits, x.size(0), nameof(discriminatorLogits));
        using var scope = torch.NewDisposeScope();
        var rec = ReconstructionLoss.WeightedSse(reconstruction, x, mseWeight);
        var kl = klPerSample.sum();
        var tc = (discriminatorLogits.select(1, JointClass) - discriminatorLogits.select(1, PermutedClass)).mean();
        var total = rec + kl + tc * gamma;
        return new LossTerms(total.MoveToOuterDisposeScope())
            .Add("reconstruction", rec.MoveToOuterDisposeScope())
            .Add("kl", kl.MoveToOuterDisposeScope())
            .Add("tc", tc.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Discriminator loss ½[CE(D(z), joint) + CE(D(perm(z')), permuted)] with mean cross-entropies.
    /// </summary>
    public static Tensor DiscriminatorLoss(Tensor jointLogits, Tensor permutedLogits)
    {
        CheckLogits(jointLogits, jointLogits?.size(0) ?? 0, nameof(jointLogits));
        CheckLogits(permutedLogits, permutedLogits?.size(0) ?? 0, nameof(permutedLogits));
        using var scope = torch.NewDisposeScope();
        var joint = torch.full([jointLogits!.size(0)], JointClass, ScalarType.Int64, jointLogits.device);
        var permuted = torch.full([permutedLogits!.size(0)], PermutedClass, ScalarType.Int64, permutedLogits.device);
        var loss = (F.cross_entropy(jointLogits, joint) + F.cross_entropy(permutedLogits, permuted)) * 0.5;
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Permute-dims: each latent coordinate is shuffled across the batch by its own random
    /// permutation, which keeps the marginals q(z_j) and breaks their dependence. Not detached.
    /// </summary>
    public static Tensor PermuteDims(Tensor z)
    {
        ObjectiveChecks.Latents(z, nameof(z));
        using var scope = torch.NewDisposeScope();
        // Sorting independent uniform noise per column yields independent uniform permutations.
        var noise = torch.rand(z.shape, ScalarType.Float32, z.device);
        var (_, order) = noise.sort(0);
        return z.gather(0, order).MoveToOuterDisposeScope();
    }

    private static void CheckLogits(Tensor? logits, long batch, string name)
    {
        ArgumentNullException.ThrowIfNull(logits, name);
        if (logits.dim() != 2 || logits.size(1) != 2 || logits.size(0) != batch)
            throw new ArgumentException($"Expected discriminator logits [{batch}, 2], got [{string.Join(", ", logits.shape)}].", name);
    }
}
