namespace Microsoft.ML.Vae.Core.Models;

/// <summary>
/// The published settings of S-IntroVAE (algorithms spec §2.4, §2.7) and of its prior-learning
/// extension (§3.6) for the 2-D toys and for MNIST / Fashion-MNIST. Image schedules are given in epochs
/// by the papers; they are converted with the number of iterations per epoch.
/// </summary>
public static class SoftIntroPresets
{
    /// <summary>Iterations per epoch of a 60,000-image training set in batches of 128 with the last partial batch kept.</summary>
    public const int MnistIterationsPerEpoch = 469;

    /// <summary>The 2-D data sets with published settings (names as in <see cref="Data.ToyDatasets"/>).</summary>
    public static IReadOnlyList<string> ToyDatasetNames { get; } = ["8gaussians", "2spirals", "checkerboard", "rings"];

    /// <summary>β weights of one configuration.</summary>
    /// <param name="BetaKl">β_kl.</param>
    /// <param name="BetaRec">β_rec.</param>
    /// <param name="BetaNeg">β_neg (0 for a plain VAE).</param>
    public readonly record struct Betas(double BetaKl, double BetaRec, double BetaNeg);

    /// <summary>The S-IntroVAE β's of the 2-D table (spec §2.4).</summary>
    public static Betas ToyBetas(string dataset) => Canonical(dataset) switch
    {
        "8gaussians" => new(0.3, 0.2, 0.9),
        "2spirals" => new(0.5, 0.2, 1.0),
        "checkerboard" => new(0.1, 0.2, 0.2),
        _ => new(0.2, 0.2, 1.0),
    };

    /// <summary>The plain-VAE baseline β's for the same 2-D setup (spec §2.4).</summary>
    public static Betas ToyVaeBetas(string dataset) => Canonical(dataset) switch
    {
        "8gaussians" => new(0.05, 0.8, 0),
        "2spirals" => new(0.05, 1.0, 0),
        "checkerboard" => new(0.1, 0.8, 0),
        _ => new(0.05, 0.8, 0),
    };

    /// <summary>
    /// S-IntroVAE on a 2-D toy (spec §2.4): MLP 2→256×4→2d, d = 2, N(0, I) with the closed-form KL,
    /// 30,000 iterations of batch 512, 2,000 warm-up iterations, Adam 2e-4 for encoder and decoder,
    /// milestones 10,000 and 15,000 (×0.1), s = 0.5, γ_r = 1e-8.
    /// </summary>
    public static SoftIntroOptions Toy(string dataset)
    {
        var b = ToyBetas(dataset);
        return ToyBase(b);
    }

    /// <summary>
    /// S-IntroVAE with a learned prior on a 2-D toy (spec §3.6): the <see cref="Toy"/> setup with a
    /// VampPrior of K = 64 data-initialized pseudo-inputs converted to a mixture at iteration 1,900,
    /// Monte-Carlo KL with 100 samples, the prior trained with the decoder (Adam 2e-4), α = 2, γ = 1.
    /// The β's default to the S-IntroVAE table (the paper selects its own per configuration by grid search).
    /// </summary>
    public static SoftIntroOptions ToyLearnedPrior(string dataset, bool learnableWeights = true, bool trainPriorInIntrospection = true,
        bool clipVariance = true, double responsibilityWeight = 0)
    {
        var o = ToyBase(ToyBetas(dataset));
        o.PriorKind = SoftIntroPriorKind.Vamp;
        o.Components = 64;
        o.PriorInit = SoftIntroPriorInit.Data;
        o.LearnableWeights = learnableWeights;
        o.TrainPriorInIntrospection = trainPriorInIntrospection;
        o.SampleFakesWithGrad = trainPriorInIntrospection;
        o.ClipPriorVariance = clipVariance;
        o.ResponsibilityWeight = responsibilityWeight;
        o.KlSamples = 100;
        o.VampConversionLead = 100;
        o.AnalyticStandardKl = false;
        return o;
    }

    /// <summary>The plain-VAE baseline on a 2-D toy: the <see cref="Toy"/> setup where the warm-up lasts the whole run.</summary>
    public static SoftIntroOptions ToyVae(string dataset)
    {
        var o = ToyBase(ToyVaeBetas(dataset));
        o.WarmupIterations = o.Iterations;
        return o;
    }

    /// <summary>
    /// Fashion-MNIST (spec §2.7 / §3.6): residual networks (64, 128), d = 32, batch 128, Adam 2e-4, β_rec = β_kl = 1,
    /// β_neg = 256, milestone at epoch 350 (inactive), s = 1/784. Without a learned prior: no warm-up, 250 epochs.
    /// With one: a VampPrior of 100 pseudo-inputs (learnable weights) converted to a mixture 5 epochs before a
    /// 20-epoch warm-up ends, 220 epochs, Monte-Carlo KL (100), variance clipping and λ_H = 100.
    /// </summary>
    public static SoftIntroOptions FashionMnist(bool learnedPrior = false, int iterationsPerEpoch = MnistIterationsPerEpoch) =>
        Image(learnedPrior, iterationsPerEpoch, betaNeg: 256, epochs: learnedPrior ? 220 : 250);

    /// <summary>
    /// MNIST: as <see cref="FashionMnist"/> but 200 epochs without a learned prior (the README example, β_neg = 256)
    /// and β_neg = 128 with one (the prior-learning configuration).
    /// </summary>
    public static SoftIntroOptions Mnist(bool learnedPrior = false, int iterationsPerEpoch = MnistIterationsPerEpoch) =>
        Image(learnedPrior, iterationsPerEpoch, betaNeg: learnedPrior ? 128 : 256, epochs: learnedPrior ? 220 : 200);

    private static SoftIntroOptions ToyBase(Betas b) => new()
    {
        SampleShape = [2],
        LatentDim = 2,
        Network = SoftIntroNetwork.Mlp,
        MlpHiddenSizes = [256, 256, 256, 256],
        BetaKl = b.BetaKl,
        BetaRec = b.BetaRec,
        BetaNeg = b.BetaNeg,
        GammaR = 1e-8,
        Alpha = 2,
        Gamma = 1,
        Scale = 0.5,
        WarmupIterations = 2000,
        Iterations = 30_000,
        BatchSize = 512,
        LearningRate = 2e-4,
        PriorLearningRate = 2e-4,
        LrMilestones = [10_000, 15_000],
        LrGamma = 0.1,
    };

    private static SoftIntroOptions Image(bool learnedPrior, int iterationsPerEpoch, double betaNeg, int epochs)
    {
        if (iterationsPerEpoch < 1) throw new ArgumentOutOfRangeException(nameof(iterationsPerEpoch), iterationsPerEpoch, "Iterations per epoch must be positive.");
        var o = new SoftIntroOptions
        {
            SampleShape = [1, 28, 28],
            LatentDim = 32,
            Network = SoftIntroNetwork.ResNet,
            ResNetChannels = [64, 128],
            BetaKl = 1,
            BetaRec = 1,
            BetaNeg = betaNeg,
            GammaR = 1e-8,
            Alpha = 2,
            Gamma = 1,
            BatchSize = 128,
            LearningRate = 2e-4,
            PriorLearningRate = 2e-4,
            LrMilestones = [350L * iterationsPerEpoch],
            LrGamma = 0.1,
            Iterations = (long)epochs * iterationsPerEpoch,
            WarmupIterations = 0,
        };
        if (!learnedPrior) return o;
        o.PriorKind = SoftIntroPriorKind.Vamp;
        o.Components = 100;
        o.PriorInit = SoftIntroPriorInit.Data;
        o.LearnableWeights = true;
        o.TrainPriorInIntrospection = true;
        o.SampleFakesWithGrad = true;
        o.ClipPriorVariance = true;
        o.ResponsibilityWeight = 100;
        o.KlSamples = 100;
        o.AnalyticStandardKl = false;
        o.WarmupIterations = 20L * iterationsPerEpoch;
        o.VampConversionLead = 5L * iterationsPerEpoch;
        return o;
    }

    private static string Canonical(string dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var name = dataset.Trim().ToLowerInvariant();
        if (!ToyDatasetNames.Contains(name))
            throw new ArgumentException($"No published S-IntroVAE settings for '{dataset}'. Known: {string.Join(", ", ToyDatasetNames)}.", nameof(dataset));
        return name;
    }
}
