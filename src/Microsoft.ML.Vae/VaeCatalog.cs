using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Models;

namespace Microsoft.ML.Vae;

/// <summary>
/// Entry point of the VAE components for an <see cref="MLContext"/>: <c>mlContext.Vae()</c>. Estimators that
/// train a VAE on an input column and output its latent means (featurizers), a reconstruction estimator, and
/// (as extension methods in <see cref="VaeGenerationCatalog"/> and <see cref="VaeEvaluationCatalog"/>)
/// generators and evaluators. Input columns are vectors of floats (e.g. ExtractPixels output, or raw pixels);
/// training and inference run on the device chosen by <see cref="MLContext.GpuDeviceId"/> /
/// <see cref="MLContext.FallbackToCpu"/>, seeded from the context. Save pipelines that contain VAE transformers
/// with <see cref="VaeModelFile"/>.
/// </summary>
public sealed class VaeCatalog
{
    internal VaeCatalog(MLContext mlContext)
    {
        Context = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        // Before libtorch loads (idempotent): OpenMP's passive wait policy, see TorchRuntime.
        TorchRuntime.ConfigureThreadingEnvironment();
    }

    /// <summary>The context every component of this catalog uses.</summary>
    public MLContext Context { get; }

    /// <summary>
    /// Trains a dpVAE-family model (VAE, β-VAE-H, β-VAE-B, β-TCVAE, FactorVAE, InfoVAE; with or without the
    /// decoupled flow prior, per <paramref name="options"/>) on <paramref name="inputColumnName"/> and outputs its
    /// latent means in <paramref name="outputColumnName"/>.
    /// </summary>
    /// <param name="outputColumnName">Latent-mean output column (Vector&lt;Single, LatentDim&gt;).</param>
    /// <param name="inputColumnName">Float vector column of size prod(<see cref="DpVaeOptions.SampleShape"/>).</param>
    /// <param name="options">Model and optimizer settings (see <see cref="DpVaePresets"/>); LatentDim must be 2, 4, 8, …, 512.</param>
    /// <param name="featurizer">Output settings; null for the defaults.</param>
    /// <param name="training">Iterations, seed, progress; null for the defaults.</param>
    public VaeFeaturizerEstimator DpVae(string outputColumnName, string inputColumnName, DpVaeOptions options,
        VaeFeaturizerOptions? featurizer = null, VaeTrainingOptions? training = null) =>
        new(Context, new DpVaeRecipe(options), outputColumnName, inputColumnName, featurizer, training);

    /// <summary>
    /// Trains a Soft-IntroVAE (standard or learned prior, per <paramref name="options"/>; see <see cref="SoftIntroPresets"/>)
    /// on <paramref name="inputColumnName"/> and outputs its latent means in <paramref name="outputColumnName"/>.
    /// </summary>
    public VaeFeaturizerEstimator SoftIntroVae(string outputColumnName, string inputColumnName, SoftIntroOptions options,
        VaeFeaturizerOptions? featurizer = null, VaeTrainingOptions? training = null) =>
        new(Context, new SoftIntroRecipe(options), outputColumnName, inputColumnName, featurizer, training);

    /// <summary>
    /// Trains a GAMIX-VAE (or its baseline, per <paramref name="options"/>; see <see cref="GamixPresets"/>) on
    /// <paramref name="inputColumnName"/> and outputs its latent means in <paramref name="outputColumnName"/>.
    /// </summary>
    public VaeFeaturizerEstimator Gamix(string outputColumnName, string inputColumnName, GamixOptions options,
        VaeFeaturizerOptions? featurizer = null, VaeTrainingOptions? training = null) =>
        new(Context, new GamixRecipe(options), outputColumnName, inputColumnName, featurizer, training);

    /// <summary>Trains the model described by any <see cref="VaeRecipe"/> and outputs its latent means.</summary>
    public VaeFeaturizerEstimator Train(string outputColumnName, string inputColumnName, VaeRecipe recipe,
        VaeFeaturizerOptions? featurizer = null, VaeTrainingOptions? training = null) =>
        new(Context, recipe, outputColumnName, inputColumnName, featurizer, training);

    /// <summary>
    /// A featurizer around a VAE trained elsewhere (e.g. loaded with the core's ModelStore); nothing is trained and
    /// the caller keeps ownership of <paramref name="model"/>.
    /// </summary>
    public VaeFeaturizerEstimator Featurize(string outputColumnName, string inputColumnName, IVaeModel model, VaeFeaturizerOptions? options = null) =>
        new(Context, model, outputColumnName, inputColumnName, options);

    /// <summary>
    /// Reconstructions of <paramref name="inputColumnName"/> by a trained VAE (e.g. a fitted featurizer's
    /// <see cref="VaeMappingTransformer.Model"/>), as planar floats ready for ConvertToImage.
    /// </summary>
    public VaeReconstructionEstimator Reconstruct(string outputColumnName, string inputColumnName, IVaeModel model,
        VaeReconstructionOptions? options = null) =>
        new(Context, model, outputColumnName, inputColumnName, options);
}

/// <summary>Adds <see cref="Vae"/> to <see cref="MLContext"/>.</summary>
public static class VaeMLContextExtensions
{
    /// <summary>The VAE catalog of <paramref name="mlContext"/>.</summary>
    public static VaeCatalog Vae(this MLContext mlContext) => new(mlContext);
}
