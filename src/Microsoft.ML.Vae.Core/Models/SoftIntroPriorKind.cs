namespace Microsoft.ML.Vae.Core.Models;

/// <summary>The prior of a <see cref="SoftIntroVae"/> (algorithms spec §3.1).</summary>
public enum SoftIntroPriorKind
{
    /// <summary>The imposed N(0, I) of standard S-IntroVAE ("imposed").</summary>
    Standard,

    /// <summary>A learnable mixture of K diagonal Gaussians ("MoG").</summary>
    Mixture,

    /// <summary>
    /// A VampPrior with K pseudo-inputs during the warm-up, converted to a learnable mixture (the
    /// "Vamp-initialized MoG" of the prior-learning tables) before the introspective phase.
    /// </summary>
    Vamp,
}
