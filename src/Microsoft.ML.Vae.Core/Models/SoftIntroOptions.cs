namespace Microsoft.ML.Vae.Core.Models;

using System.Text.Json.Serialization;

/// <summary>
/// Settings of a <see cref="SoftIntroVae"/> and of its introspective training program (algorithms
/// spec §2 and §3). The defaults are those of the reference 2-D training function with the 2-D network
/// and schedule of §2.4 (β_rec = β_kl = β_neg = 1, N(0, I) prior); <see cref="SoftIntroPresets"/> holds
/// the per-dataset settings of the papers. Every ablation switch of the prior-learning paper (§3.6)
/// is a property here.
/// </summary>
public sealed class SoftIntroOptions
{
    /// <summary>The model-kind string of every S-IntroVAE model ("soft-intro"); the prior is recorded in <see cref="PriorKind"/>.</summary>
    public const string ModelKind = "soft-intro";

    // ---- architecture

    /// <summary>Shape of one sample: [D] for vectors, [C, H, W] for images (default [2], the 2-D toys).</summary>
    public long[] SampleShape { get; set; } = [2];

    /// <summary>Latent dimension d (default 2).</summary>
    public int LatentDim { get; set; } = 2;

    /// <summary>Encoder/decoder architecture (default <see cref="SoftIntroNetwork.Auto"/>: MLP for vectors, residual networks for images).</summary>
    public SoftIntroNetwork Network { get; set; } = SoftIntroNetwork.Auto;

    /// <summary>Hidden widths of the MLP encoder; the decoder mirrors them (default [256, 256, 256, 256], spec §2.4).</summary>
    public int[] MlpHiddenSizes { get; set; } = [256, 256, 256, 256];

    /// <summary>Channel list of the residual networks; null (default) = the reference list for the image size (28: 64,128; 32: 64,128,256).</summary>
    public int[]? ResNetChannels { get; set; }

    // ---- prior (spec §3.1, §3.6)

    /// <summary>The prior (default <see cref="SoftIntroPriorKind.Standard"/>, N(0, I)).</summary>
    public SoftIntroPriorKind PriorKind { get; set; } = SoftIntroPriorKind.Standard;

    /// <summary>Number of mixture components / pseudo-inputs K of a learned prior (default 64, the 2-D setting).</summary>
    public int Components { get; set; } = 64;

    /// <summary>Initialization of a learned prior (default <see cref="SoftIntroPriorInit.Data"/>).</summary>
    public SoftIntroPriorInit PriorInit { get; set; } = SoftIntroPriorInit.Data;

    /// <summary>Whether the mixture weights are learned through softmax logits (default false: uniform).</summary>
    public bool LearnableWeights { get; set; }

    /// <summary>
    /// "intro_prior": a learned prior keeps training with the decoder in the introspective phase
    /// (default true); false fixes it after the warm-up.
    /// </summary>
    public bool TrainPriorInIntrospection { get; set; } = true;

    /// <summary>
    /// "sampling_with_grad": the decoder step's fake latents stay differentiable in the prior's means and
    /// log-variances, so the prior also learns through the samples it generates (default true; only
    /// matters with <see cref="TrainPriorInIntrospection"/>).
    /// </summary>
    public bool SampleFakesWithGrad { get; set; } = true;

    /// <summary>Adaptive variance clipping of a learned prior, bounds frozen at the end of the warm-up (default true; spec §3.4).</summary>
    public bool ClipPriorVariance { get; set; } = true;

    /// <summary>λ_H, weight of the responsibility regularizer in the encoder loss (default 0, the 2-D setting; 100 for images; spec §3.5).</summary>
    public double ResponsibilityWeight { get; set; }

    /// <summary>Monte-Carlo samples per posterior of the KL to a mixture prior (default 100).</summary>
    public int KlSamples { get; set; } = 100;

    /// <summary>
    /// With the N(0, I) prior use the closed-form KL, as the S-IntroVAE code does (default true); false uses
    /// the Monte-Carlo estimate, as the prior-learning code does for its "imposed" baseline.
    /// </summary>
    public bool AnalyticStandardKl { get; set; } = true;

    /// <summary>
    /// "mog_warmup": a VampPrior is converted to a mixture this many iterations before the warm-up ends
    /// (default 100, the 2-D setting; images: 5 epochs).
    /// </summary>
    public long VampConversionLead { get; set; } = 100;

    // ---- objective (spec §2.2, §3.3)

    /// <summary>β_rec, weight of the reconstruction error (default 1).</summary>
    public double BetaRec { get; set; } = 1;

    /// <summary>β_kl, weight of the real-data KL (default 1).</summary>
    public double BetaKl { get; set; } = 1;

    /// <summary>β_neg, weight of the KL inside the fake-data expELBO terms (default 1).</summary>
    public double BetaNeg { get; set; } = 1;

    /// <summary>γ_r, weight of the fakes' reconstruction error in the decoder loss (default 1e-8).</summary>
    public double GammaR { get; set; } = 1e-8;

    /// <summary>α of the expELBO exp(−α·s·e) and its 1/α factor (default 2, hard-coded in the S-IntroVAE code).</summary>
    public double Alpha { get; set; } = 2;

    /// <summary>γ, weight of the fake-data terms in the decoder loss of the prior-learning code (default 1; 1 reproduces S-IntroVAE).</summary>
    public double Gamma { get; set; } = 1;

    /// <summary>The scale s; null (default) = 1 / (number of elements per sample): 1/(C·H·W) for images, 0.5 for 2-D.</summary>
    public double? Scale { get; set; }

    // ---- training schedule

    /// <summary>"num_vae": plain-VAE warm-up iterations before the introspective phase (default 0).</summary>
    public long WarmupIterations { get; set; }

    /// <summary>Suggested total iterations (default 30,000; the trainer's setting decides, but a VampPrior is converted only when this exceeds the warm-up).</summary>
    public long Iterations { get; set; } = 30_000;

    /// <summary>Training batch size (default 512).</summary>
    public int BatchSize { get; set; } = 512;

    /// <summary>Adam learning rate of encoder and decoder (default 2e-4).</summary>
    public double LearningRate { get; set; } = 2e-4;

    /// <summary>Adam learning rate of a learned prior (default 2e-4).</summary>
    public double PriorLearningRate { get; set; } = 2e-4;

    /// <summary>Adam β₁ of every optimizer (default 0.9).</summary>
    public double AdamBeta1 { get; set; } = 0.9;

    /// <summary>Adam β₂ of every optimizer (default 0.999).</summary>
    public double AdamBeta2 { get; set; } = 0.999;

    /// <summary>MultiStepLR milestones in iterations (default [10,000, 15,000], the 2-D schedule).</summary>
    public long[] LrMilestones { get; set; } = [10_000, 15_000];

    /// <summary>Learning-rate factor at each milestone (default 0.1).</summary>
    public double LrGamma { get; set; } = 0.1;

    /// <summary>The training schedule in words, e.g. "30,000 iterations, warm-up 2,000, LR ×0.1 at 10,000 and 15,000".</summary>
    public string DescribeSchedule()
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        string milestones = LrMilestones is { Length: > 0 }
            ? string.Create(c, $"LR ×{LrGamma:g3} at {string.Join(", ", LrMilestones.Select(m => m.ToString("N0", c)))}")
            : "constant LR";
        return string.Create(c, $"{Iterations:N0} iterations, warm-up {WarmupIterations:N0}, {milestones}");
    }

    // ---- implementation choices

    /// <summary>
    /// Compute the decoder outputs D(z_f) and D(z) once per iteration for both players and run paired
    /// forwards as one batch where the networks have no batch statistics (default true). Gradients are
    /// identical to the literal two-step implementation (false); see docs/soft-intro.md.
    /// </summary>
    public bool ShareForwards { get; set; } = true;

    /// <summary>
    /// Draw new fake latents for the decoder step, as the prior-learning code does (default false: the
    /// decoder step reuses the encoder step's noise batch, as the S-IntroVAE code does).
    /// </summary>
    public bool ResampleFakesForDecoder { get; set; }

    /// <summary>
    /// Read both players' losses back every iteration and stop with a <see cref="Training.TrainingDivergedException"/>
    /// naming the loss before a non-finite update is applied (default false: the trainer's guard checks
    /// every step's terms at its log points without a per-step synchronization).
    /// </summary>
    public bool CheckLossesEveryStep { get; set; }

    /// <summary>The model kind, always <see cref="ModelKind"/>.</summary>
    [JsonIgnore]
    public string Kind => ModelKind;

    /// <summary>Whether the prior has trainable parameters (a mixture or a VampPrior).</summary>
    [JsonIgnore]
    public bool LearnedPrior => PriorKind != SoftIntroPriorKind.Standard;

    /// <summary>Elements per sample D.</summary>
    [JsonIgnore]
    public long SampleElements => (SampleShape ?? []).Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>The scale s in effect: <see cref="Scale"/> or 1/D.</summary>
    public double ResolveScale() => Scale ?? 1.0 / SampleElements;

    /// <summary>The architecture in effect: <see cref="Network"/>, or by sample shape for <see cref="SoftIntroNetwork.Auto"/>.</summary>
    public SoftIntroNetwork ResolveNetwork() => Network != SoftIntroNetwork.Auto
        ? Network
        : SampleShape is { Length: 3 } ? SoftIntroNetwork.ResNet : SoftIntroNetwork.Mlp;

    /// <summary>The 1-based iteration at whose start a VampPrior becomes a mixture: warm-up − lead + 1 (at least 1).</summary>
    [JsonIgnore]
    public long VampConversionStep => Math.Max(1, WarmupIterations - VampConversionLead + 1);

    /// <summary>A deep copy.</summary>
    public SoftIntroOptions Clone()
    {
        var copy = (SoftIntroOptions)MemberwiseClone();
        copy.SampleShape = SampleShape?.ToArray()!;
        copy.MlpHiddenSizes = MlpHiddenSizes?.ToArray()!;
        copy.ResNetChannels = ResNetChannels?.ToArray();
        copy.LrMilestones = LrMilestones?.ToArray()!;
        return copy;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (SampleShape is null || SampleShape.Length == 0 || SampleShape.Any(s => s <= 0))
            throw new ArgumentException($"SampleShape must be non-empty with positive sizes (got [{string.Join(", ", SampleShape ?? [])}]).", nameof(SampleShape));
        if (LatentDim <= 0) throw new ArgumentException($"LatentDim must be positive (got {LatentDim}).", nameof(LatentDim));
        if (!Enum.IsDefined(Network)) throw new ArgumentException($"Unknown network {Network}.", nameof(Network));
        if (MlpHiddenSizes is null || MlpHiddenSizes.Any(h => h <= 0))
            throw new ArgumentException("MlpHiddenSizes must be a list of positive widths.", nameof(MlpHiddenSizes));
        if (ResolveNetwork() == SoftIntroNetwork.ResNet)
        {
            if (SampleShape.Length != 3)
                throw new ArgumentException($"The residual networks take [C, H, W] images, but SampleShape is [{string.Join(", ", SampleShape)}].", nameof(SampleShape));
            if (ResNetChannels is not null && (ResNetChannels.Length == 0 || ResNetChannels.Any(c => c <= 0)))
                throw new ArgumentException("ResNetChannels must be a non-empty list of positive channel counts.", nameof(ResNetChannels));
        }
        if (!Enum.IsDefined(PriorKind)) throw new ArgumentException($"Unknown prior kind {PriorKind}.", nameof(PriorKind));
        if (!Enum.IsDefined(PriorInit)) throw new ArgumentException($"Unknown prior initialization {PriorInit}.", nameof(PriorInit));
        if (LearnedPrior && Components < 1) throw new ArgumentException($"Components must be at least 1 (got {Components}).", nameof(Components));
        if (KlSamples < 1) throw new ArgumentException($"KlSamples must be at least 1 (got {KlSamples}).", nameof(KlSamples));
        if (VampConversionLead < 0) throw new ArgumentException($"VampConversionLead must not be negative (got {VampConversionLead}).", nameof(VampConversionLead));
        NonNegative(ResponsibilityWeight, nameof(ResponsibilityWeight));
        NonNegative(BetaRec, nameof(BetaRec));
        NonNegative(BetaKl, nameof(BetaKl));
        NonNegative(BetaNeg, nameof(BetaNeg));
        NonNegative(GammaR, nameof(GammaR));
        NonNegative(Gamma, nameof(Gamma));
        Positive(Alpha, nameof(Alpha));
        if (Scale is double s) Positive(s, nameof(Scale));
        if (WarmupIterations < 0) throw new ArgumentException($"WarmupIterations must not be negative (got {WarmupIterations}).", nameof(WarmupIterations));
        if (Iterations <= 0) throw new ArgumentException($"Iterations must be positive (got {Iterations}).", nameof(Iterations));
        if (BatchSize <= 0) throw new ArgumentException($"BatchSize must be positive (got {BatchSize}).", nameof(BatchSize));
        Positive(LearningRate, nameof(LearningRate));
        Positive(PriorLearningRate, nameof(PriorLearningRate));
        if (!(AdamBeta1 is >= 0 and < 1)) throw new ArgumentException($"AdamBeta1 must be in [0, 1) (got {AdamBeta1}).", nameof(AdamBeta1));
        if (!(AdamBeta2 is >= 0 and < 1)) throw new ArgumentException($"AdamBeta2 must be in [0, 1) (got {AdamBeta2}).", nameof(AdamBeta2));
        if (LrMilestones is null || LrMilestones.Any(m => m <= 0))
            throw new ArgumentException("LrMilestones must be a list of positive iteration numbers.", nameof(LrMilestones));
        Positive(LrGamma, nameof(LrGamma));
    }

    private static void Positive(double value, string name)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new ArgumentException($"{name} must be positive and finite (got {value}).", name);
    }

    private static void NonNegative(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new ArgumentException($"{name} must be non-negative and finite (got {value}).", name);
    }
}
