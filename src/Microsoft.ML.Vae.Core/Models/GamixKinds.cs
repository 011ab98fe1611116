namespace Microsoft.ML.Vae.Core.Models;

/// <summary>The model-kind strings of the GAMIX-VAE family.</summary>
public static class GamixKinds
{
    /// <summary>GAMIX-VAE: mixture KL + variance regularizer (with or without the PatchGAN, recorded in the options).</summary>
    public const string Gamix = "gamix";

    /// <summary>The plain-KL baseline VAE with the same networks (the code's "HowNOT_ToTrainYourVAE").</summary>
    public const string Baseline = "gamix-baseline";

    /// <summary>Every kind of the family.</summary>
    public static IReadOnlyList<string> All { get; } = [Gamix, Baseline];
}
