using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;

namespace Microsoft.ML.Vae;

/// <summary>
/// The model that the family calls (<c>mlContext.Vae().Vae/BetaVae/BetaTcVae/FactorVae/InfoVae(...)</c>,
/// <c>mlContext.Transforms.FeaturizeWithVae(...)</c>) train: sized for a featurizer inside a pipeline, a few
/// thousand steps that take seconds to minutes on a CPU — not the papers' budgets of 100,000 steps and more,
/// which stay in the presets (<see cref="DpVaePresets"/>, <see cref="SoftIntroPresets"/>, <see cref="GamixPresets"/>)
/// and in the core options' defaults.
/// </summary>
public static class VaePipelineDefaults
{
    /// <summary>Latent dimension: 16.</summary>
    public const int LatentDim = 16;

    /// <summary>Training steps: 2,000.</summary>
    public const long Iterations = 2_000;

    /// <summary>Batch size: 64.</summary>
    public const int BatchSize = 64;

    /// <summary>Adam learning rate: 1e-3.</summary>
    public const double LearningRate = 1e-3;

    /// <summary>
    /// The dpVAE options of a family call: MLP encoder and decoder (two hidden layers of 256), the regularizer's
    /// released weights (β, γ, α), and the values above; <paramref name="sampleShape"/> comes from the input column.
    /// </summary>
    public static DpVaeOptions DpVae(Regularizer regularizer, bool decoupledPrior, int latentDim, long iterations, long[] sampleShape) => new()
    {
        Regularizer = regularizer,
        DecoupledPrior = decoupledPrior,
        LatentDim = latentDim,
        SampleShape = sampleShape,
        Network = NetworkKind.Mlp,
        BatchSize = BatchSize,
        LearningRate = LearningRate,
        DiscriminatorLearningRate = LearningRate,
        Iterations = iterations,
    };
}
