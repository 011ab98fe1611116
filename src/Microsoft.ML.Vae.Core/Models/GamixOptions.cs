namespace Microsoft.ML.Vae.Core.Models;

using System.Text.Json.Serialization;
using Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// Settings of a GAMIX-VAE model and of its training program (algorithms spec §4). The defaults are
/// the paper's configuration as released (256×256×3 faces, d_z = 512, batch 10, Adam lr 1e-4 with
/// β₁ = 0.5, λ_rec = 5000, adversarial weight 100); <see cref="GamixPresets"/> adds a small
/// Fashion-MNIST configuration. Data given to the model are images in [0, 1]; the model maps them to
/// [−1, 1] internally, where every loss is computed.
/// </summary>
public sealed class GamixOptions
{
    // ---- model

    /// <summary>
    /// The plain-KL baseline VAE with the same networks: 5000·MAE + mean-over-batch KL(q(z|x) ‖ N(0, I)),
    /// no PatchGAN (kind "gamix-baseline"; default false: GAMIX, kind "gamix").
    /// </summary>
    public bool Baseline { get; set; }

    /// <summary>
    /// Train with the PatchGAN adversarial loss on reconstructions (default true, as in the paper's code).
    /// Recorded in the saved options; must be false for the baseline.
    /// </summary>
    public bool PatchGan { get; set; } = true;

    /// <summary>Shape of one image [C, H, W]; H and W must be divisible by 2^<see cref="Stages"/> (default [3, 256, 256]).</summary>
    public long[] SampleShape { get; set; } = [3, 256, 256];

    /// <summary>Latent dimension d_z (default 512).</summary>
    public int LatentDim { get; set; } = 512;

    /// <summary>Filters of every encoder and decoder block (default 128).</summary>
    public int Filters { get; set; } = 128;

    /// <summary>Down-/up-sampling stages of the ResNet (default 6: 256 → 4).</summary>
    public int Stages { get; set; } = 6;

    /// <summary>Identity blocks before each encoder down-sampling block (default 2).</summary>
    public int EncoderIdentityBlocks { get; set; } = 2;

    /// <summary>Identity blocks before each decoder up-sampling block (default 1).</summary>
    public int DecoderIdentityBlocks { get; set; } = 1;

    /// <summary>Channels of the code map between the convolutions and the dense heads; null (default) = max(1, d_z / 8) as in the code.</summary>
    public int? CodeChannels { get; set; }

    /// <summary>Batch-normalization epsilon of the VAE and the PatchGAN (default 1e-3, Keras' default).</summary>
    public double BatchNormEps { get; set; } = 1e-3;

    /// <summary>Batch-normalization running-statistics momentum, PyTorch convention (default 0.01 = Keras' momentum 0.99).</summary>
    public double BatchNormMomentum { get; set; } = 0.01;

    /// <summary>Epsilon of the encoder's input layer normalization (default 1e-3, Keras' default).</summary>
    public double LayerNormEps { get; set; } = 1e-3;

    // ---- loss

    /// <summary>λ_rec: weight of the mean absolute error on the [−1, 1] scale (default 5000).</summary>
    public double ReconstructionWeight { get; set; } = 5000;

    /// <summary>Weight of the moment-matched mixture KL (default 1).</summary>
    public double MixtureKlWeight { get; set; } = 1;

    /// <summary>Coefficient c of the variance regularizer c·(σ² − log σ² − 1), summed over dimensions (default 0.1).</summary>
    public double VarianceCoefficient { get; set; } = 0.1;

    /// <summary>Weight of the baseline's mean-over-batch KL to N(0, I) (default 1; used only by the baseline).</summary>
    public double KlWeight { get; set; } = 1;

    /// <summary>Weight of the generator's adversarial term BCE(D(x̂), real) (default 100).</summary>
    public double AdversarialWeight { get; set; } = 100;

    /// <summary>Weight of the discriminator's loss BCE(D(x), real) + BCE(D(x̂), fake) (default 100).</summary>
    public double DiscriminatorLossWeight { get; set; } = 100;

    // ---- PatchGAN

    /// <summary>PatchGAN filters per layer (default [128, 128, 128, 64, 64, 1]).</summary>
    public int[] PatchGanFilters { get; set; } = PatchGanDiscriminator.DefaultFilters.ToArray();

    /// <summary>PatchGAN stride per layer (default [2, 2, 2, 1, 1, 1]).</summary>
    public int[] PatchGanStrides { get; set; } = PatchGanDiscriminator.DefaultStrides.ToArray();

    /// <summary>PatchGAN LeakyReLU slope (default 0.3, Keras' default).</summary>
    public double PatchGanNegativeSlope { get; set; } = 0.3;

    /// <summary>PatchGAN dropout after every layer (default 0.25).</summary>
    public double PatchGanDropout { get; set; } = 0.25;

    // ---- optimization

    /// <summary>Adam learning rate of the VAE (default 1e-4).</summary>
    public double LearningRate { get; set; } = 1e-4;

    /// <summary>Adam learning rate of the PatchGAN (default 1e-4).</summary>
    public double DiscriminatorLearningRate { get; set; } = 1e-4;

    /// <summary>Adam β₁ of both optimizers (default 0.5).</summary>
    public double AdamBeta1 { get; set; } = 0.5;

    /// <summary>Adam β₂ of both optimizers (default 0.999).</summary>
    public double AdamBeta2 { get; set; } = 0.999;

    /// <summary>Adam ε of both optimizers (default 1e-7, Keras' default value).</summary>
    public double AdamEpsilon { get; set; } = 1e-7;

    /// <summary>Training batch size (default 10); the mixture KL needs at least 2.</summary>
    public int BatchSize { get; set; } = 10;

    /// <summary>Suggested number of training iterations (default 720,000: 300 epochs of 2,400 batches; the trainer's setting decides).</summary>
    public long Iterations { get; set; } = 720_000;

    /// <summary>The model-kind string: "gamix" or "gamix-baseline".</summary>
    [JsonIgnore]
    public string Kind => Baseline ? GamixKinds.Baseline : GamixKinds.Gamix;

    /// <summary>Code channels in effect: <see cref="CodeChannels"/> or max(1, d_z / 8).</summary>
    public int ResolveCodeChannels() => CodeChannels ?? PreActResNetConfig.DefaultCodeChannels(LatentDim);

    /// <summary>The encoder/decoder geometry these options describe (validated by <see cref="Validate"/>).</summary>
    public PreActResNetConfig ToNetworkConfig()
    {
        CheckSampleShape();
        return new PreActResNetConfig
        {
            Channels = checked((int)SampleShape[0]),
            Height = checked((int)SampleShape[1]),
            Width = checked((int)SampleShape[2]),
            LatentDim = LatentDim,
            Filters = Filters,
            Stages = Stages,
            EncoderIdentityBlocks = EncoderIdentityBlocks,
            DecoderIdentityBlocks = DecoderIdentityBlocks,
            CodeChannels = ResolveCodeChannels(),
            BatchNormEps = BatchNormEps,
            BatchNormMomentum = BatchNormMomentum,
            LayerNormEps = LayerNormEps,
        };
    }

    /// <summary>A deep copy.</summary>
    public GamixOptions Clone()
    {
        var copy = (GamixOptions)MemberwiseClone();
        copy.SampleShape = SampleShape?.ToArray()!;
        copy.PatchGanFilters = PatchGanFilters?.ToArray()!;
        copy.PatchGanStrides = PatchGanStrides?.ToArray()!;
        return copy;
    }

    /// <summary>True when <paramref name="other"/> builds the same networks (the training settings may differ).</summary>
    public bool SameArchitecture(GamixOptions other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Kind == other.Kind && ToNetworkConfig() == other.ToNetworkConfig();
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (CodeChannels is <= 0) throw new ArgumentException($"CodeChannels must be positive when set (got {CodeChannels}).", nameof(CodeChannels));
        ToNetworkConfig().Validate();
        if (Baseline && PatchGan)
            throw new ArgumentException("The baseline VAE trains without the PatchGAN: set PatchGan to false (or Baseline to false for GAMIX).", nameof(PatchGan));
        Positive(ReconstructionWeight, nameof(ReconstructionWeight));
        NonNegative(MixtureKlWeight, nameof(MixtureKlWeight));
        NonNegative(VarianceCoefficient, nameof(VarianceCoefficient));
        NonNegative(KlWeight, nameof(KlWeight));
        NonNegative(AdversarialWeight, nameof(AdversarialWeight));
        NonNegative(DiscriminatorLossWeight, nameof(DiscriminatorLossWeight));
        if (PatchGanFilters is null || PatchGanFilters.Length == 0 || PatchGanFilters.Any(f => f <= 0))
            throw new ArgumentException("PatchGanFilters must be a non-empty list of positive filter counts.", nameof(PatchGanFilters));
        if (PatchGanStrides is null || PatchGanStrides.Length != PatchGanFilters.Length || PatchGanStrides.Any(s => s <= 0))
            throw new ArgumentException($"PatchGanStrides must hold one positive stride per PatchGAN layer ({PatchGanFilters.Length}).", nameof(PatchGanStrides));
        NonNegative(PatchGanNegativeSlope, nameof(PatchGanNegativeSlope));
        if (!(PatchGanDropout is >= 0 and < 1)) throw new ArgumentException($"PatchGanDropout must be in [0, 1) (got {PatchGanDropout}).", nameof(PatchGanDropout));
        Positive(LearningRate, nameof(LearningRate));
        Positive(DiscriminatorLearningRate, nameof(DiscriminatorLearningRate));
        if (!(AdamBeta1 is >= 0 and < 1)) throw new ArgumentException($"AdamBeta1 must be in [0, 1) (got {AdamBeta1}).", nameof(AdamBeta1));
        if (!(AdamBeta2 is >= 0 and < 1)) throw new ArgumentException($"AdamBeta2 must be in [0, 1) (got {AdamBeta2}).", nameof(AdamBeta2));
        NonNegative(AdamEpsilon, nameof(AdamEpsilon));
        if (BatchSize <= 0) throw new ArgumentException($"BatchSize must be positive (got {BatchSize}).", nameof(BatchSize));
        if (Iterations <= 0) throw new ArgumentException($"Iterations must be positive (got {Iterations}).", nameof(Iterations));
    }

    /// <summary>Checks what training needs beyond <see cref="Validate"/>: batches of at least 2 (batch moments and batch norm).</summary>
    public void ValidateForTraining()
    {
        Validate();
        if (BatchSize < 2)
            throw new ArgumentException($"GAMIX training needs BatchSize of at least 2: the mixture KL uses the batch variance of the means (got {BatchSize}).", nameof(BatchSize));
    }

    private void CheckSampleShape()
    {
        if (SampleShape is null || SampleShape.Length != 3 || SampleShape.Any(s => s <= 0 || s > int.MaxValue))
            throw new ArgumentException(
                $"GAMIX-VAE takes images: SampleShape must be [C, H, W] with positive sizes (got [{string.Join(", ", SampleShape ?? [])}]).", nameof(SampleShape));
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
