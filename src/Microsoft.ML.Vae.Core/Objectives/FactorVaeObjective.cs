namespace Microsoft.ML.Vae.Core.Objectives;

using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Torch;

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
        CheckLogits(discriminatorLogits, x.Size(0), nameof(discriminatorLogits));
        using var scope = Torch.NewDisposeScope();
        var rec = ReconstructionLoss.WeightedSse(reconstruction, x, mseWeight);
        var kl = klPerSample.Sum();
        var tc = (discriminatorLogits.Select(1, JointClass) - discriminatorLogits.Select(1, PermutedClass)).Mean();
        var total = rec + kl + tc * gamma;
        return new LossTerms(total.MoveToOuterScope())
            .Add("reconstruction", rec.MoveToOuterScope())
            .Add("kl", kl.MoveToOuterScope())
            .Add("tc", tc.MoveToOuterScope());
    }

    /// <summary>
    /// Discriminator loss ½[CE(D(z), joint) + CE(D(perm(z')), permuted)] with mean cross-entropies.
    /// </summary>
    public static Tensor DiscriminatorLoss(Tensor jointLogits, Tensor permutedLogits)
    {
        CheckLogits(jointLogits, jointLogits?.Size(0) ?? 0, nameof(jointLogits));
        CheckLogits(permutedLogits, permutedLogits?.Size(0) ?? 0, nameof(permutedLogits));
        using var scope = Torch.NewDisposeScope();
        var joint = Torch.Full([jointLogits!.Size(0)], JointClass, DType.Int64, jointLogits.Device);
        var permuted = Torch.Full([permutedLogits!.Size(0)], PermutedClass, DType.Int64, permutedLogits.Device);
        var loss = (Functional.CrossEntropy(jointLogits, joint) + Functional.CrossEntropy(permutedLogits, permuted)) * 0.5;
        return loss.MoveToOuterScope();
    }

    /// <summary>
    /// Permute-dims: each latent coordinate is shuffled across the batch by its own random
    /// permutation, which keeps the marginals q(z_j) and breaks their dependence. Not detached.
    /// </summary>
    public static Tensor PermuteDims(Tensor z)
    {
        ObjectiveChecks.Latents(z, nameof(z));
        using var scope = Torch.NewDisposeScope();
        // Sorting independent uniform noise per column yields independent uniform permutations.
        var noise = Torch.Rand(z.Shape, DType.Float32, z.Device);
        var (_, order) = noise.Sort(0);
        return z.Gather(0, order).MoveToOuterScope();
    }

    private static void CheckLogits(Tensor? logits, long batch, string name)
    {
        ArgumentNullException.ThrowIfNull(logits, name);
        if (logits.Dim != 2 || logits.Size(1) != 2 || logits.Size(0) != batch)
            throw new ArgumentException($"Expected discriminator logits [{batch}, 2], got [{string.Join(", ", logits.Shape)}].", name);
    }
}
