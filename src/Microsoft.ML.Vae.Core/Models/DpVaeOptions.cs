using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using System.Text.Json.Serialization;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;

/// <summary>
/// Settings of a dpVAE-family model and of its training program. Defaults are documented per
/// member; the regularizer weights left null take the value of the released MNIST configuration
/// for the chosen regularizer and prior (algorithms spec §1.6, see <see cref="DpVaePresets"/>).
/// </summary>
public sealed class DpVaeOptions
{
    /// <summary>The latent regularizer (default <see cref="Regularizer.Vae"/>).</summary>
    public Regularizer Regularizer { get; set; } = Regularizer.Vae;

    /// <summary>Whether the prior is the decoupled RealNVP flow prior (default false: N(0, I)).</summary>
    public bool DecoupledPrior { get; set; }

    /// <summary>Latent dimension d (default 2, as in the released MNIST configurations).</summary>
    public int LatentDim { get; set; } = 2;

    /// <summary>Shape of one sample: [C, H, W] for images, [D] for vectors (default [1, 28, 28]).</summary>
    public long[] SampleShape { get; set; } = [1, 28, 28];

    /// <summary>
    /// Encoder/decoder architecture (default <see cref="NetworkKind.Auto"/>: the "beta_mnist" convolutional
    /// pair for [C, 28, 28] — "factor_mnist" when the regularizer is FactorVAE — and an MLP for [D]).
    /// </summary>
    public NetworkKind Network { get; set; } = NetworkKind.Auto;

    /// <summary>
    /// True when the model's encoder and decoder were supplied by the caller rather than built from
    /// <see cref="Network"/> (set by <see cref="DpVae(DpVaeOptions, nn.Module{Tensor, Tensor}, nn.Module{Tensor, Tensor}, Device?)"/>
    /// on its copy of the options; saved in model.zip, where it tells the loader that the networks must be supplied
    /// again, see <see cref="DpVae.Load(string, nn.Module{Tensor, Tensor}, nn.Module{Tensor, Tensor}, Device?)"/>).
    /// The network settings (<see cref="Network"/>, <see cref="MlpHiddenSizes"/>, <see cref="MlpActivation"/>) are then not used.
    /// </summary>
    /// <remarks>Written to model.zip only when true, so files of models with built-in networks read as before.</remarks>
    [JsonInclude]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool CustomNetworks { get; internal set; }

    /// <summary>Hidden widths of the MLP encoder (the decoder mirrors them) when an MLP is used (default [256, 256]).</summary>
    public int[] MlpHiddenSizes { get; set; } = [256, 256];

    /// <summary>Hidden nonlinearity of the MLP networks (default ReLU).</summary>
    public Activation MlpActivation { get; set; } = Activation.ReLU;

    /// <summary>Weight w of the squared-error reconstruction term w·SSE (default 1).</summary>
    public double MseWeight { get; set; } = 1;

    /// <summary>
    /// β: KL weight for <see cref="Regularizer.Vae"/> / <see cref="Regularizer.BetaH"/>, TC weight for
    /// <see cref="Regularizer.BetaTc"/>. Null (default) = the released value: 1, 5, 4.
    /// </summary>
    public double? Beta { get; set; }

    /// <summary>
    /// γ: capacity weight for <see cref="Regularizer.BetaB"/>, dimension-wise KL weight for
    /// <see cref="Regularizer.BetaTc"/>, TC weight for <see cref="Regularizer.Factor"/>.
    /// Null (default) = the released value: 15; 15 (150 with the decoupled prior); 1000.
    /// </summary>
    public double? Gamma { get; set; }

    /// <summary>
    /// α: mutual-information weight for <see cref="Regularizer.BetaTc"/>, KL/MMD mix for
    /// <see cref="Regularizer.Info"/>. Null (default) = the released value: 1; 0.
    /// </summary>
    public double? Alpha { get; set; }

    /// <summary>λ: InfoVAE's MMD weight, entering as (α + λ − 1) (default 1000).</summary>
    public double Lambda { get; set; } = 1000;

    /// <summary>β-VAE-B's final capacity C_max in nats, compared with the batch-summed KL (default 25).</summary>
    public double CapacityMax { get; set; } = 25;

    /// <summary>β-VAE-B's iteration at which the capacity reaches C_max (default 100,000).</summary>
    public long CapacityStopIteration { get; set; } = 100_000;

    /// <summary>Number of affine coupling blocks of the decoupled prior (default 6).</summary>
    public int FlowBlocks { get; set; } = 6;

    /// <summary>Width of the coupling blocks' s and t networks (default 64).</summary>
    public int FlowHidden { get; set; } = 64;

    /// <summary>Percentage of coordinates passed through by the first coupling mask (default 50).</summary>
    public double MaskPercent { get; set; } = 50;

    /// <summary>
    /// With the decoupled prior, standardize the latents by running estimates of the aggregate posterior's mean and
    /// standard deviation before the coupling blocks (<see cref="Priors.PosteriorNormalization"/>, updated from every
    /// training batch). The tanh-bounded blocks can shift the centre of N(0, I) only about 11 per coordinate; an encoder
    /// whose posterior drifts farther leaves the prior's samples in empty latent space. Default false: the authors' flow.
    /// </summary>
    /// <remarks>Written to model.zip only when true, so files of models without it read as before.</remarks>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool PosteriorNormalization { get; set; }

    /// <summary>
    /// β-TCVAE with the decoupled prior: leave log|det ∂g/∂z| out of log p(z) in the dimension-wise KL,
    /// as the released code does (default false: the exact prior density is used).
    /// </summary>
    public bool OmitFlowLogDetInTc { get; set; }

    /// <summary>
    /// β-TCVAE: use the importance-weight layout the reference code actually produces (its strided
    /// assignment fills columns, not the diagonal; default false: the intended diagonal layout).
    /// </summary>
    public bool ReproduceMssWeightQuirk { get; set; }

    /// <summary>
    /// β-TCVAE: add log W_ik inside the sum over latent dimensions for the joint log q(z), as the
    /// released code does (it then counts the weight d times); default false: the weight enters the
    /// joint once, as in Chen et al.'s estimator.
    /// </summary>
    public bool ReproduceRepeatedWeightQuirk { get; set; }

    /// <summary>
    /// The authors' exact β-TCVAE loss, as their released code computes it: true sets all three reproduction
    /// flags (<see cref="OmitFlowLogDetInTc"/>, <see cref="ReproduceMssWeightQuirk"/>,
    /// <see cref="ReproduceRepeatedWeightQuirk"/>), false clears them; reads true only when all three are set.
    /// Only β-TCVAE uses them (the log-determinant flag only with the decoupled prior). Default false: the intended math.
    /// </summary>
    /// <remarks>A shorthand, not saved by itself: the model file records the three flags.</remarks>
    [JsonIgnore]
    public bool AuthorsExactLoss
    {
        get => OmitFlowLogDetInTc && ReproduceMssWeightQuirk && ReproduceRepeatedWeightQuirk;
        set => OmitFlowLogDetInTc = ReproduceMssWeightQuirk = ReproduceRepeatedWeightQuirk = value;
    }

    /// <summary>Number of training samples N, required by β-TCVAE's stratified estimator (default 0 = unknown).</summary>
    public long DatasetSize { get; set; }

    /// <summary>Adam learning rate of encoder, decoder and flow (default 1e-4).</summary>
    public double LearningRate { get; set; } = 1e-4;

    /// <summary>Adam learning rate of the FactorVAE discriminator (default 1e-4).</summary>
    public double DiscriminatorLearningRate { get; set; } = 1e-4;

    /// <summary>Adam β₁ of every optimizer (default 0.9).</summary>
    public double AdamBeta1 { get; set; } = 0.9;

    /// <summary>Adam β₂ of every optimizer (default 0.999).</summary>
    public double AdamBeta2 { get; set; } = 0.999;

    /// <summary>Width of the FactorVAE discriminator's hidden layers (default 1000).</summary>
    public int DiscriminatorHidden { get; set; } = 1000;

    /// <summary>Number of hidden layers of the FactorVAE discriminator (default 5).</summary>
    public int DiscriminatorLayers { get; set; } = 5;

    /// <summary>Training batch size (default 100).</summary>
    public int BatchSize { get; set; } = 100;

    /// <summary>Suggested number of training iterations (default 100,000; the trainer's setting decides).</summary>
    public long Iterations { get; set; } = 100_000;

    /// <summary>The model-kind string, e.g. "dp-beta-tc".</summary>
    [JsonIgnore]
    public string Kind => DpVaeKinds.Format(Regularizer, DecoupledPrior);

    /// <summary>β in effect: <see cref="Beta"/> or the released value for the regularizer.</summary>
    public double ResolveBeta() => Beta ?? DpVaePresets.ReleasedWeights(Regularizer, DecoupledPrior).Beta;

    /// <summary>γ in effect: <see cref="Gamma"/> or the released value for the regularizer.</summary>
    public double ResolveGamma() => Gamma ?? DpVaePresets.ReleasedWeights(Regularizer, DecoupledPrior).Gamma;

    /// <summary>α in effect: <see cref="Alpha"/> or the released value for the regularizer.</summary>
    public double ResolveAlpha() => Alpha ?? DpVaePresets.ReleasedWeights(Regularizer, DecoupledPrior).Alpha;

    /// <summary>A deep copy.</summary>
    public DpVaeOptions Clone()
    {
        var copy = (DpVaeOptions)MemberwiseClone();
        copy.SampleShape = SampleShape?.ToArray()!;
        copy.MlpHiddenSizes = MlpHiddenSizes?.ToArray()!;
        return copy;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Regularizer)) throw new ArgumentException($"Unknown regularizer {Regularizer}.", nameof(Regularizer));
        if (LatentDim <= 0) throw new ArgumentException($"LatentDim must be positive (got {LatentDim}).", nameof(LatentDim));
        if (SampleShape is null || SampleShape.Length == 0 || SampleShape.Any(s => s <= 0))
            throw new ArgumentException($"SampleShape must be non-empty with positive sizes (got [{string.Join(", ", SampleShape ?? [])}]).", nameof(SampleShape));
        if (!CustomNetworks) NetworkFactory.Resolve(SampleShape, Network);
        if (MlpHiddenSizes is null || MlpHiddenSizes.Any(h => h <= 0))
            throw new ArgumentException("MlpHiddenSizes must be a list of positive widths.", nameof(MlpHiddenSizes));
        Positive(MseWeight, nameof(MseWeight));
        NonNegative(ResolveBeta(), nameof(Beta));
        NonNegative(ResolveGamma(), nameof(Gamma));
        if (!double.IsFinite(ResolveAlpha())) throw new ArgumentException($"Alpha must be finite (got {Alpha}).", nameof(Alpha));
        if (!double.IsFinite(Lambda)) throw new ArgumentException($"Lambda must be finite (got {Lambda}).", nameof(Lambda));
        NonNegative(CapacityMax, nameof(CapacityMax));
        if (CapacityStopIteration <= 0) throw new ArgumentException($"CapacityStopIteration must be positive (got {CapacityStopIteration}).", nameof(CapacityStopIteration));
        if (FlowBlocks <= 0) throw new ArgumentException($"FlowBlocks must be positive (got {FlowBlocks}).", nameof(FlowBlocks));
        if (FlowHidden <= 0) throw new ArgumentException($"FlowHidden must be positive (got {FlowHidden}).", nameof(FlowHidden));
        if (!(MaskPercent is >= 0 and <= 100)) throw new ArgumentException($"MaskPercent must be in [0, 100] (got {MaskPercent}).", nameof(MaskPercent));
        if (DatasetSize < 0) throw new ArgumentException($"DatasetSize must not be negative (got {DatasetSize}).", nameof(DatasetSize));
        Positive(LearningRate, nameof(LearningRate));
        Positive(DiscriminatorLearningRate, nameof(DiscriminatorLearningRate));
        if (!(AdamBeta1 is >= 0 and < 1)) throw new ArgumentException($"AdamBeta1 must be in [0, 1) (got {AdamBeta1}).", nameof(AdamBeta1));
        if (!(AdamBeta2 is >= 0 and < 1)) throw new ArgumentException($"AdamBeta2 must be in [0, 1) (got {AdamBeta2}).", nameof(AdamBeta2));
        if (DiscriminatorHidden <= 0) throw new ArgumentException($"DiscriminatorHidden must be positive (got {DiscriminatorHidden}).", nameof(DiscriminatorHidden));
        if (DiscriminatorLayers <= 0) throw new ArgumentException($"DiscriminatorLayers must be positive (got {DiscriminatorLayers}).", nameof(DiscriminatorLayers));
        if (BatchSize <= 0) throw new ArgumentException($"BatchSize must be positive (got {BatchSize}).", nameof(BatchSize));
        if (Iterations <= 0) throw new ArgumentException($"Iterations must be positive (got {Iterations}).", nameof(Iterations));
    }

    /// <summary>Checks what training needs beyond <see cref="Validate"/> (β-TCVAE: a known dataset size and batches of 3 or more).</summary>
    public void ValidateForTraining()
    {
        Validate();
        if (Regularizer != Regularizer.BetaTc) return;
        if (BatchSize < 3)
            throw new ArgumentException($"β-TCVAE's stratified estimator needs BatchSize of at least 3 (got {BatchSize}).", nameof(BatchSize));
        if (DatasetSize < BatchSize)
            throw new ArgumentException(
                $"β-TCVAE needs DatasetSize, the number of training samples, of at least BatchSize ({BatchSize}); got {DatasetSize}.", nameof(DatasetSize));
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
