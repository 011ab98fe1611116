using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;

namespace VaeMetricTable;

/// <summary>The VAEs compared: one output column per dpVAE variant, all with the same networks and budget.</summary>
public static class Candidates
{
    /// <summary>(output column, options) of each candidate.</summary>
    public static IReadOnlyList<(string Column, DpVaeOptions Options)> Create(long iterations) =>
    [
        ("Vae", Options(Regularizer.Vae, decoupledPrior: false, iterations)),
        ("BetaVae", Options(Regularizer.BetaH, decoupledPrior: false, iterations)),
        ("BetaTcVae", Options(Regularizer.BetaTc, decoupledPrior: false, iterations)),
        ("DecoupledVae", Options(Regularizer.Vae, decoupledPrior: true, iterations)),
    ];

    private static DpVaeOptions Options(Regularizer regularizer, bool decoupledPrior, long iterations) => new()
    {
        Regularizer = regularizer,
        DecoupledPrior = decoupledPrior,
        LatentDim = 8,
        SampleShape = [1, 28, 28],
        Network = NetworkKind.Mlp,
        BatchSize = 100,
        LearningRate = 1e-3,
        Iterations = iterations,
    };
}
