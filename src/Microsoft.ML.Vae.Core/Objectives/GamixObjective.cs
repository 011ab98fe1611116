using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Core.Training;

namespace Microsoft.ML.Vae.Core.Objectives;

/// <summary>
/// GAMIX-VAE's losses (algorithms spec §4.1), on images scaled to [−1, 1]. Instead of pulling every
/// posterior N(μ_i, σ²_i) to N(0, I), the prior is imposed on the batch's mixture of posteriors by
/// moment matching of the means, and a separate term keeps each σ² from collapsing. Every term is
/// reported as it enters the total, so the total is their sum.
/// </summary>
public static class GamixObjective
{
    /// <summary>
    /// λ · mean_{batch, channels, pixels} |target − reconstruction| (mean absolute error, as Keras'
    /// MeanAbsoluteError; λ = 5000 in the code).
    /// </summary>
    public static Tensor Reconstruction(Tensor reconstruction, Tensor target, double weight)
    {
        ArgumentNullException.ThrowIfNull(reconstruction);
        ArgumentNullException.ThrowIfNull(target);
        if (!reconstruction.shape.SequenceEqual(target.shape))
            throw new ArgumentException(
                $"Reconstruction [{string.Join(", ", reconstruction.shape)}] and target [{string.Join(", ", target.shape)}] shapes differ.");
        ObjectiveChecks.Weight(weight, nameof(weight));
        using var scope = torch.NewDisposeScope();
        return (F.l1_loss(reconstruction, target) * weight).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The aggregate (mixture) KL by moment matching over the batch: with M_j = mean_b μ_bj and
    /// V_j = var_b μ_bj (population variance of the means only; the mean σ² is not added, as in the code),
    /// ½ Σ_j (M_j² + V_j − log V_j − 1) = KL(N(M, diag V) ‖ N(0, I)). Needs at least two samples.
    /// </summary>
    public static Tensor MixtureKl(Tensor mean)
    {
        ObjectiveChecks.Latents(mean, nameof(mean));
        if (mean.size(0) < 2)
            throw new ArgumentException(
                $"The moment-matched mixture KL needs the means of at least 2 samples (the batch variance of one mean is 0), got {mean.size(0)}.", nameof(mean));
        using var scope = torch.NewDisposeScope();
        var m = mean.mean([0]);
        var v = mean.var(0, unbiased: false);
        var kl = (m.square() + v - v.log() - 1.0).sum() * 0.5;
        return kl.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The variance-collapse regularizer mean_b Σ_j c·(σ²_bj − log σ²_bj − 1): non-negative, zero at
    /// σ² = 1, with no μ² term (c = 0.1 in the code instead of the KL's ½).
    /// </summary>
    public static Tensor VarianceRegularizer(Tensor logVar, double coefficient)
    {
        ObjectiveChecks.Latents(logVar, nameof(logVar));
        ObjectiveChecks.Weight(coefficient, nameof(coefficient));
        using var scope = torch.NewDisposeScope();
        var perSample = (logVar.exp() - logVar - 1.0).sum(1);
        return (perSample.mean() * coefficient).MoveToOuterDisposeScope();
    }

    /// <summary>The baseline's KL: mean over the batch of the closed-form KL(q(z|x) ‖ N(0, I)).</summary>
    public static Tensor StandardKl(Tensor mean, Tensor logVar)
    {
        using var scope = torch.NewDisposeScope();
        return Kl.StandardNormal(mean, logVar).mean().MoveToOuterDisposeScope();
    }

    /// <summary>The generator's adversarial term weight · BCE(D(x̂), real), the mean over every patch logit.</summary>
    public static Tensor GeneratorAdversarial(Tensor fakeLogits, double weight)
    {
        ArgumentNullException.ThrowIfNull(fakeLogits);
        ObjectiveChecks.Weight(weight, nameof(weight));
        using var scope = torch.NewDisposeScope();
        var ones = torch.ones_like(fakeLogits);
        return (F.binary_cross_entropy_with_logits(fakeLogits, ones) * weight).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The discriminator's loss weight · [BCE(D(x), real) + BCE(D(x̂), fake)], means over every patch
    /// logit; x̂ are the VAE's reconstructions (the discriminator never sees prior samples).
    /// </summary>
    public static Tensor DiscriminatorLoss(Tensor realLogits, Tensor fakeLogits, double weight)
    {
        ArgumentNullException.ThrowIfNull(realLogits);
        ArgumentNullException.ThrowIfNull(fakeLogits);
        ObjectiveChecks.Weight(weight, nameof(weight));
        using var scope = torch.NewDisposeScope();
        var real = F.binary_cross_entropy_with_logits(realLogits, torch.ones_like(realLogits));
        var fake = F.binary_cross_entropy_with_logits(fakeLogits, torch.zeros_like(fakeLogits));
        return ((real + fake) * weight).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// GAMIX's generator loss: terms "reconstruction" (λ·MAE), "mixture_kl" (weight · <see cref="MixtureKl"/>),
    /// "variance" (<see cref="VarianceRegularizer"/>) and, when <paramref name="fakeLogits"/> are given,
    /// "adversarial" (<see cref="GeneratorAdversarial"/>); the total is their sum.
    /// </summary>
    public static LossTerms Generator(Tensor reconstruction, Tensor target, Tensor mean, Tensor logVar,
        double reconstructionWeight, double mixtureKlWeight, double varianceCoefficient, Tensor? fakeLogits = null, double adversarialWeight = 0)
    {
        CheckPosterior(mean, logVar, target);
        ObjectiveChecks.Weight(mixtureKlWeight, nameof(mixtureKlWeight));
        using var scope = torch.NewDisposeScope();
        var rec = Reconstruction(reconstruction, target, reconstructionWeight);
        var kl = MixtureKl(mean) * mixtureKlWeight;
        var variance = VarianceRegularizer(logVar, varianceCoefficient);
        var total = rec + kl + variance;
        Tensor? adversarial = null;
        if (fakeLogits is not null)
        {
            adversarial = GeneratorAdversarial(fakeLogits, adversarialWeight);
            total = total + adversarial;
        }
        var terms = new LossTerms(total.MoveToOuterDisposeScope())
            .Add("reconstruction", rec.MoveToOuterDisposeScope())
            .Add("mixture_kl", kl.MoveToOuterDisposeScope())
            .Add("variance", variance.MoveToOuterDisposeScope());
        if (adversarial is not null) terms.Add("adversarial", adversarial.MoveToOuterDisposeScope());
        return terms;
    }

    /// <summary>
    /// The baseline VAE with the same networks: terms "reconstruction" (λ·MAE) and "kl"
    /// (weight · <see cref="StandardKl"/>); the total is their sum.
    /// </summary>
    public static LossTerms Baseline(Tensor reconstruction, Tensor target, Tensor mean, Tensor logVar, double reconstructionWeight, double klWeight)
    {
        CheckPosterior(mean, logVar, target);
        ObjectiveChecks.Weight(klWeight, nameof(klWeight));
        using var scope = torch.NewDisposeScope();
        var rec = Reconstruction(reconstruction, target, reconstructionWeight);
        var kl = StandardKl(mean, logVar) * klWeight;
        var total = rec + kl;
        return new LossTerms(total.MoveToOuterDisposeScope())
            .Add("reconstruction", rec.MoveToOuterDisposeScope())
            .Add("kl", kl.MoveToOuterDisposeScope());
    }

    private static void CheckPosterior(Tensor mean, Tensor logVar, Tensor target)
    {
        ObjectiveChecks.Latents(mean, nameof(mean));
        ObjectiveChecks.Latents(logVar, nameof(logVar));
        ArgumentNullException.ThrowIfNull(target);
        if (!mean.shape.SequenceEqual(logVar.shape))
            throw new ArgumentException($"Mean [{string.Join(", ", mean.shape)}] and log-variance [{string.Join(", ", logVar.shape)}] shapes differ.");
        if (target.dim() < 1 || target.size(0) != mean.size(0))
            throw new ArgumentException($"The posterior has {mean.size(0)} rows but the batch has {(target.dim() < 1 ? 0 : target.size(0))} samples.");
    }
}
