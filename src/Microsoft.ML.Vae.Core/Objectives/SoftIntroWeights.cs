namespace Microsoft.ML.Vae.Core.Objectives;

/// <summary>The scalar weights of the S-IntroVAE losses (algorithms spec §2.2, §3.3).</summary>
/// <param name="BetaRec">β_rec, weight of reconstruction errors.</param>
/// <param name="BetaKl">β_kl, weight of the real-data KL (and of the fakes' KL in the decoder loss).</param>
/// <param name="BetaNeg">β_neg, weight of the KL inside the expELBO terms.</param>
/// <param name="Scale">s, the per-dimension normalization (1/D).</param>
/// <param name="Alpha">α of exp(−α·s·e) and of the 1/α factor (2).</param>
/// <param name="Gamma">γ, weight of the fake-data terms in the decoder loss (1).</param>
/// <param name="GammaR">γ_r, weight of the fakes' reconstruction errors in the decoder loss (1e-8).</param>
/// <param name="ResponsibilityWeight">λ_H, weight of the responsibility regularizer in the encoder loss.</param>
public sealed record SoftIntroWeights(double BetaRec, double BetaKl, double BetaNeg, double Scale,
    double Alpha = 2, double Gamma = 1, double GammaR = 1e-8, double ResponsibilityWeight = 0)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for negative or non-finite weights and a non-positive scale or α.</summary>
    public void Validate()
    {
        ObjectiveChecks.Weight(BetaRec, nameof(BetaRec));
        ObjectiveChecks.Weight(BetaKl, nameof(BetaKl));
        ObjectiveChecks.Weight(BetaNeg, nameof(BetaNeg));
        ObjectiveChecks.Weight(Gamma, nameof(Gamma));
        ObjectiveChecks.Weight(GammaR, nameof(GammaR));
        ObjectiveChecks.Weight(ResponsibilityWeight, nameof(ResponsibilityWeight));
        if (!(Scale > 0) || double.IsInfinity(Scale)) throw new ArgumentOutOfRangeException(nameof(Scale), $"The scale must be positive and finite, got {Scale}.");
        if (!(Alpha > 0) || double.IsInfinity(Alpha)) throw new ArgumentOutOfRangeException(nameof(Alpha), $"α must be positive and finite, got {Alpha}.");
    }
}
