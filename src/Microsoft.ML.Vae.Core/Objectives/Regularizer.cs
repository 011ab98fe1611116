namespace Microsoft.ML.Vae.Core.Objectives;

/// <summary>The latent regularizer of a dpVAE-family model (algorithms spec §1.4).</summary>
public enum Regularizer
{
    /// <summary>Plain VAE: reconstruction + β·KL with β = 1 by default.</summary>
    Vae,
    /// <summary>β-VAE (Higgins): reconstruction + β·KL.</summary>
    BetaH,
    /// <summary>β-VAE with Burgess' capacity schedule: reconstruction + γ·|KL − C(t)|.</summary>
    BetaB,
    /// <summary>β-TCVAE: reconstruction + α·MI + β·TC + γ·dimension-wise KL (minibatch-stratified estimate).</summary>
    BetaTc,
    /// <summary>FactorVAE: reconstruction + KL + γ·TC estimated by an adversarial discriminator.</summary>
    Factor,
    /// <summary>InfoVAE (MMD): reconstruction + (1−α)·KL + (α+λ−1)·MMD(q(z), p(z)).</summary>
    Info,
}
