namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Objectives;

/// <summary>
/// The released dpVAE MNIST configurations (algorithms spec §1.6: z_dims = 2, Adam β = (0.9, 0.999)),
/// one per regularizer with and without the decoupled prior. They also serve Fashion-MNIST, which
/// has the same 28×28×1 shape (not a paper benchmark).
/// </summary>
public static class DpVaePresets
{
    /// <summary>Training-set size of MNIST and Fashion-MNIST.</summary>
    public const long MnistTrainSize = 60_000;

    /// <summary>The regularizer weights of one released configuration.</summary>
    /// <param name="Beta">β (KL weight, or TC weight for β-TCVAE); 0 where unused.</param>
    /// <param name="Gamma">γ (capacity, DWKL or FactorVAE TC weight); 0 where unused.</param>
    /// <param name="Alpha">α (β-TCVAE MI weight, InfoVAE mix); 0 where unused.</param>
    public readonly record struct Weights(double Beta, double Gamma, double Alpha);

    /// <summary>
    /// The MNIST configuration for <paramref name="regularizer"/>: w_mse, β, γ, C_max / C_stop, α, λ,
    /// batch size, learning rates and iterations as released, latent dimension 2, [1, 28, 28] samples,
    /// <see cref="DpVaeOptions.DatasetSize"/> = 60,000 (set it to the actual training-set size when it differs).
    /// </summary>
    public static DpVaeOptions Mnist(Regularizer regularizer, bool decoupledPrior)
    {
        var w = ReleasedWeights(regularizer, decoupledPrior);
        var o = new DpVaeOptions
        {
            Regularizer = regularizer,
            DecoupledPrior = decoupledPrior,
            LatentDim = 2,
            SampleShape = [1, 28, 28],
            Beta = w.Beta,
            Gamma = w.Gamma,
            Alpha = w.Alpha,
            Lambda = 1000,
            CapacityMax = 25,
            CapacityStopIteration = 100_000,
            DatasetSize = MnistTrainSize,
            LearningRate = 1e-4,
            DiscriminatorLearningRate = 1e-4,
            AdamBeta1 = 0.9,
            AdamBeta2 = 0.999,
            Iterations = 100_000,
        };
        (o.MseWeight, o.BatchSize, o.LearningRate) = (regularizer, decoupledPrior) switch
        {
            (Regularizer.Vae, _) => (1.0, 100, 1e-4),
            (Regularizer.BetaH, false) => (1.0, 24, 1e-4),
            (Regularizer.BetaH, true) => (10.0, 100, 1e-3),
            (Regularizer.BetaB, _) => (100.0, 24, 1e-3),
            (Regularizer.BetaTc, false) => (10.0, 100, 1e-4),
            (Regularizer.BetaTc, true) => (1.0, 100, 1e-4),
            (Regularizer.Factor, _) => (1.0, 24, 1e-4),
            (Regularizer.Info, false) => (10.0, 24, 1e-4),
            (Regularizer.Info, true) => (10.0, 24, 1e-3),
            _ => throw new ArgumentOutOfRangeException(nameof(regularizer), regularizer, "Unknown regularizer."),
        };
        if (regularizer == Regularizer.BetaTc && decoupledPrior) o.Iterations = 200_000;
        return o;
    }

    /// <summary>The MNIST configuration applied to Fashion-MNIST (same shape and training-set size).</summary>
    public static DpVaeOptions FashionMnist(Regularizer regularizer, bool decoupledPrior) => Mnist(regularizer, decoupledPrior);

    /// <summary>β, γ and α of the released configuration (the defaults of <see cref="DpVaeOptions"/>' null weights).</summary>
    public static Weights ReleasedWeights(Regularizer regularizer, bool decoupledPrior) => regularizer switch
    {
        Regularizer.Vae => new(1, 0, 0),
        Regularizer.BetaH => new(5, 0, 0),
        Regularizer.BetaB => new(0, 15, 0),
        Regularizer.BetaTc => new(4, decoupledPrior ? 150 : 15, 1),
        Regularizer.Factor => new(0, 1000, 0),
        Regularizer.Info => new(0, 0, 0),
        _ => throw new ArgumentOutOfRangeException(nameof(regularizer), regularizer, "Unknown regularizer."),
    };
}
