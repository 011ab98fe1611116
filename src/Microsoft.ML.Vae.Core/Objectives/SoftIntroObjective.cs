using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Objectives;

/// <summary>
/// The S-IntroVAE losses as pure functions of tensors (algorithms spec §2.2 with the prior-learning
/// extension of §3.3). "mean" is over the batch; reconstruction errors are per-sample sums of squares.
/// </summary>
public static class SoftIntroObjective
{
    /// <summary>Per-sample sum of squared errors Σ (a − b)² over every element: [N].</summary>
    public static Tensor SumSquaredError(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.dim() < 2 || !a.shape.SequenceEqual(b.shape))
            throw new ArgumentException($"Expected two equal-shaped batches [N, ...], got [{string.Join(", ", a.shape)}] and [{string.Join(", ", b.shape)}].");
        using var scope = torch.NewDisposeScope();
        return (a - b).square().flatten(1).sum(1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// expELBO = mean_b exp(−α·s·(β_rec·rec_b + β_neg·kl_b)) for per-sample reconstruction errors and
    /// KLs of fake data, each [N]: a scalar.
    /// </summary>
    public static Tensor ExpElbo(Tensor reconstructionError, Tensor kl, SoftIntroWeights weights)
    {
        ObjectiveChecks.PerSample(kl, reconstructionError, nameof(kl));
        ArgumentNullException.ThrowIfNull(weights);
        using var scope = torch.NewDisposeScope();
        var elbo = reconstructionError * weights.BetaRec + kl * weights.BetaNeg;
        return (elbo * (-weights.Alpha * weights.Scale)).exp().mean().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Encoder loss L_E = s(β_rec·rec + β_kl·kl) + (1/α)·½(expELBO_fake + expELBO_rec) + s·λ_H·negEntropy
    /// (the last term only when <paramref name="negEntropy"/> is given). Inputs are scalars.
    /// </summary>
    public static Tensor EncoderLoss(Tensor reconstruction, Tensor klReal, Tensor expElboFake, Tensor expElboRec, Tensor? negEntropy, SoftIntroWeights weights)
    {
        ArgumentNullException.ThrowIfNull(reconstruction);
        ArgumentNullException.ThrowIfNull(klReal);
        ArgumentNullException.ThrowIfNull(expElboFake);
        ArgumentNullException.ThrowIfNull(expElboRec);
        ArgumentNullException.ThrowIfNull(weights);
        using var scope = torch.NewDisposeScope();
        var real = (reconstruction * weights.BetaRec + klReal * weights.BetaKl) * weights.Scale;
        var fake = (expElboFake + expElboRec) * (0.5 / weights.Alpha);
        var loss = real + fake;
        if (negEntropy is not null) loss = loss + negEntropy * (weights.Scale * weights.ResponsibilityWeight);
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Decoder (and prior) loss L_D = s·[β_rec·rec + β_kl·klPrior + γ·β_kl·½(kl_rec + kl_fake) + γ·γ_r·β_rec·½(rec_rec + rec_fake)],
    /// where klPrior (the real posterior's KL to the trainable prior) is left out when null. Inputs are scalars.
    /// </summary>
    public static Tensor DecoderLoss(Tensor reconstruction, Tensor? klPrior, Tensor klRec, Tensor klFake, Tensor reconstructionRec, Tensor reconstructionFake, SoftIntroWeights weights)
    {
        ArgumentNullException.ThrowIfNull(reconstruction);
        ArgumentNullException.ThrowIfNull(klRec);
        ArgumentNullException.ThrowIfNull(klFake);
        ArgumentNullException.ThrowIfNull(reconstructionRec);
        ArgumentNullException.ThrowIfNull(reconstructionFake);
        ArgumentNullException.ThrowIfNull(weights);
        using var scope = torch.NewDisposeScope();
        var loss = reconstruction * weights.BetaRec
                   + (klRec + klFake) * (0.5 * weights.Gamma * weights.BetaKl)
                   + (reconstructionRec + reconstructionFake) * (0.5 * weights.Gamma * weights.GammaR * weights.BetaRec);
        if (klPrior is not null) loss = loss + klPrior * weights.BetaKl;
        return (loss * weights.Scale).MoveToOuterDisposeScope();
    }

    /// <summary>The plain-VAE warm-up loss β_rec·rec + β_kl·kl (not scaled by s, as in the reference). Inputs are scalars.</summary>
    public static Tensor WarmupLoss(Tensor reconstruction, Tensor kl, SoftIntroWeights weights)
    {
        ArgumentNullException.ThrowIfNull(reconstruction);
        ArgumentNullException.ThrowIfNull(kl);
        ArgumentNullException.ThrowIfNull(weights);
        using var scope = torch.NewDisposeScope();
        return (reconstruction * weights.BetaRec + kl * weights.BetaKl).MoveToOuterDisposeScope();
    }
}
