using Microsoft.ML.Vae.Core.Models;

namespace SoftIntroLearnedPrior;

/// <summary>
/// The Soft-IntroVAE settings of this sample: the paper's learned-prior configurations (a VampPrior of
/// data-initialized pseudo-inputs, converted to a trainable mixture of Gaussians after the warm-up) with a
/// schedule shortened to <c>iterations</c> steps so that the sample finishes in about a minute on a CPU.
/// </summary>
public static class SampleOptions
{
    /// <summary>A 2-D toy (8gaussians, 2spirals, checkerboard, rings): the toy preset with its schedule scaled down.</summary>
    public static SoftIntroOptions Toy(string dataset, long iterations)
    {
        var o = SoftIntroPresets.ToyLearnedPrior(dataset);
        Shorten(o, iterations, warmupFraction: 1.0 / 15); // the preset warms up for 2,000 of 30,000 steps
        return o;
    }

    /// <summary>
    /// Fashion-MNIST with the paper's learned-prior losses and prior (latent size 32, K = 100 pseudo-inputs),
    /// but MLP networks instead of the residual ones so that a CPU run stays short.
    /// </summary>
    public static SoftIntroOptions FashionMnist(long iterations)
    {
        var o = SoftIntroPresets.FashionMnist(learnedPrior: true);
        o.Network = SoftIntroNetwork.Mlp;
        o.MlpHiddenSizes = [512, 256];
        Shorten(o, iterations, warmupFraction: 0.25);
        return o;
    }

    private static void Shorten(SoftIntroOptions o, long iterations, double warmupFraction)
    {
        if (iterations < 20) throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "Use at least 20 iterations.");
        // Learning-rate milestones keep their position relative to the run's length.
        double scale = (double)iterations / o.Iterations;
        o.LrMilestones = o.LrMilestones.Select(m => Math.Max(1, (long)(m * scale))).ToArray();
        o.Iterations = iterations;
        o.WarmupIterations = Math.Max(1, (long)(iterations * warmupFraction));
        // The VampPrior becomes a mixture shortly before the warm-up ends, as in the preset.
        o.VampConversionLead = Math.Min(o.VampConversionLead, o.WarmupIterations / 2);
    }
}
