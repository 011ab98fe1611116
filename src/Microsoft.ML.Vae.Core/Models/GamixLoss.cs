using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Training;

/// <summary>Routes a <see cref="GamixVae"/> forward pass to GAMIX's generator loss or to the baseline's (spec §4.1).</summary>
public static class GamixLoss
{
    /// <summary>
    /// The loss terms of <paramref name="output"/> under <paramref name="options"/>: for GAMIX
    /// "reconstruction", "mixture_kl", "variance" and, when <paramref name="fakeLogits"/> = D(x̂) are given,
    /// "adversarial"; for the baseline "reconstruction" and "kl". Each term is weighted; the total is their sum.
    /// </summary>
    public static LossTerms Compute(GamixOptions options, GamixOutput output, Tensor? fakeLogits)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        if (options.Baseline)
        {
            if (fakeLogits is not null) throw new ArgumentException("The baseline VAE has no adversarial term.", nameof(fakeLogits));
            return GamixObjective.Baseline(output.Reconstruction, output.Target, output.Mean, output.LogVar, options.ReconstructionWeight, options.KlWeight);
        }
        return GamixObjective.Generator(output.Reconstruction, output.Target, output.Mean, output.LogVar,
            options.ReconstructionWeight, options.MixtureKlWeight, options.VarianceCoefficient, fakeLogits, options.AdversarialWeight);
    }
}
