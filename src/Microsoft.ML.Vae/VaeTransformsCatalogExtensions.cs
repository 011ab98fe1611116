using Microsoft.ML.Vae;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Runtime;

namespace Microsoft.ML;

/// <summary>
/// The VAE featurizers where ML.NET users look for featurizers: <c>mlContext.Transforms.FeaturizeWithVae(...)</c>
/// and <c>mlContext.Transforms.ReconstructWithVae(...)</c> (the same estimators as <c>mlContext.Vae()</c>, whose
/// catalog also has one call per model family, generators and evaluators).
/// </summary>
public static class VaeTransformsCatalogExtensions
{
    /// <summary>
    /// Trains a plain VAE during <c>Fit</c> and outputs its latent means (see <see cref="VaeCatalog.Vae"/>: pipeline-sized
    /// defaults, sample shape from the input column).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">Latent-mean output column (Vector&lt;Single, latentDim&gt;).</param>
    /// <param name="inputColumnName">Float vector column of known size, e.g. ExtractPixels output.</param>
    /// <param name="latentDim">Latent dimension: 2, 4, 8, …, 512 (default 16).</param>
    /// <param name="iterations">Training steps (default 2,000).</param>
    /// <param name="options">Output, input scale, seed, progress and cancellation; null for the defaults.</param>
    public static VaeFeaturizerEstimator FeaturizeWithVae(this TransformsCatalog catalog, string outputColumnName, string inputColumnName,
        int latentDim = VaePipelineDefaults.LatentDim, long iterations = VaePipelineDefaults.Iterations, VaeFeaturizerOptions? options = null) =>
        FamilyFeaturizer.Create(VaeEnvironment.FromCatalog(catalog), Microsoft.ML.Vae.Core.Objectives.Regularizer.Vae, outputColumnName, inputColumnName,
            latentDim, iterations, decoupledPrior: false, options);

    /// <summary>
    /// Trains any VAE during <c>Fit</c> — <c>new DpVaeRecipe(dpVaeOptions)</c>, <c>new SoftIntroRecipe(...)</c>,
    /// <c>new GamixRecipe(...)</c> or your own <see cref="VaeRecipe"/> — and outputs its latent means.
    /// </summary>
    public static VaeFeaturizerEstimator FeaturizeWithVae(this TransformsCatalog catalog, string outputColumnName, string inputColumnName,
        VaeRecipe recipe, VaeFeaturizerOptions? options = null) =>
        new(VaeEnvironment.FromCatalog(catalog), recipe, outputColumnName, inputColumnName, options);

    /// <summary>A featurizer around a VAE trained elsewhere; the caller keeps ownership of <paramref name="model"/>.</summary>
    public static VaeFeaturizerEstimator FeaturizeWithVae(this TransformsCatalog catalog, string outputColumnName, string inputColumnName,
        IVaeModel model, VaeFeaturizerOptions? options = null) =>
        new(VaeEnvironment.FromCatalog(catalog), model, outputColumnName, inputColumnName, options);

    /// <summary>Reconstructions by a trained VAE, as planar floats ready for ConvertToImage.</summary>
    public static VaeReconstructionEstimator ReconstructWithVae(this TransformsCatalog catalog, string outputColumnName, string inputColumnName,
        IVaeModel model, VaeReconstructionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new(catalog, model, outputColumnName, inputColumnName, options);
    }
}
