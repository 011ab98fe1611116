using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Runtime;

namespace Microsoft.ML.Vae;

/// <summary>The featurizers of the family calls: a dpVAE with <see cref="VaePipelineDefaults"/> shaped like the input column.</summary>
internal static class FamilyFeaturizer
{
    public static VaeFeaturizerEstimator Create(VaeEnvironment environment, Regularizer regularizer, string outputColumnName,
        string inputColumnName, int latentDim, long iterations, bool decoupledPrior, VaeFeaturizerOptions? options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latentDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1L);
        return new VaeFeaturizerEstimator(environment, latentDim,
            shape => new DpVaeRecipe(VaePipelineDefaults.DpVae(regularizer, decoupledPrior, latentDim, iterations, shape)),
            outputColumnName, inputColumnName, options);
    }
}
