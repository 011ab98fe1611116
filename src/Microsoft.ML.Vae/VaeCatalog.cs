using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Runtime;

namespace Microsoft.ML.Vae;

/// <summary>
/// Entry point of the VAE components for an <see cref="MLContext"/>: <c>mlContext.Vae()</c>. Featurizers that
/// train a VAE inside <c>Fit</c> and output its latent means — one call per model (<see cref="Vae"/>,
/// <see cref="BetaVae"/>, <see cref="BetaTcVae"/>, <see cref="FactorVae"/>, <see cref="InfoVae"/> with pipeline-sized
/// defaults, <see cref="DpVae"/>, <see cref="SoftIntroVae"/>, <see cref="Gamix"/> with full model options) —, a
/// featurizer and a reconstruction transform around a trained VAE, and (as extension methods in
/// <see cref="VaeGenerationCatalog"/> and <see cref="VaeEvaluationCatalog"/>) generators and evaluators. The
/// featurizers are also on <c>mlContext.Transforms</c> (<see cref="VaeTransformsCatalogExtensions"/>).
/// Input columns are vectors of floats (e.g. ExtractPixels output, or raw pixels); training and inference run on
/// the device chosen by <see cref="MLContext.GpuDeviceId"/> / <see cref="MLContext.FallbackToCpu"/>, seeded from
/// the context, reporting to <see cref="MLContext.Log"/>.
/// </summary>
public sealed class VaeCatalog
{
    internal VaeCatalog(MLContext mlContext)
    {
        Context = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        Environment = VaeEnvironment.FromContext(mlContext);
        // Before libtorch loads (idempotent): OpenMP's passive wait policy, see TorchRuntime.
        TorchRuntime.ConfigureThreadingEnvironment();
    }

    /// <summary>The context every component of this catalog uses.</summary>
    public MLContext Context { get; }

    internal VaeEnvironment Environment { get; }

    /// <summary>
    /// Trains a plain VAE (with the decoupled flow prior: dp-VAE) on <paramref name="inputColumnName"/> and outputs its
    /// latent means in <paramref name="outputColumnName"/>. The model is <see cref="VaePipelineDefaults.DpVae"/>; its
    /// sample shape comes from the input column ([planes, H, W] from ExtractPixels, [1, s, s] for s² raw pixels).
    /// </summary>
    /// <param name="outputColumnName">Latent-mean output column (Vector&lt;Single, latentDim&gt;).</param>
    /// <param name="inputColumnName">Float vector column of known size.</param>
    /// <param name="latentDim">Latent dimension: 2, 4, 8, …, 512 (default 16).</param>
    /// <param name="iterations">Training steps (default 2,000).</param>
    /// <param name="decoupledPrior">Adds the decoupled RealNVP prior (default false).</param>
    /// <param name="options">Output, input scale, seed, progress and cancellation; null for the defaults.</param>
    public VaeFeaturizerEstimator Vae(string outputColumnName, string inputColumnName, int latentDim = VaePipelineDefaults.LatentDim,
        long iterations = VaePipelineDefaults.Iterations, bool decoupledPrior = false, VaeFeaturizerOptions? options = null) =>
        FamilyFeaturizer.Create(Environment, Regularizer.Vae, outputColumnName, inputColumnName, latentDim, iterations, decoupledPrior, options);

    /// <summary>The same for β-VAE (Higgins), with the released β.</summary>
    /// <inheritdoc cref="Vae" path="/param"/>
    public VaeFeaturizerEstimator BetaVae(string outputColumnName, string inputColumnName, int latentDim = VaePipelineDefaults.LatentDim,
        long iterations = VaePipelineDefaults.Iterations, bool decoupledPrior = false, VaeFeaturizerOptions? options = null) =>
        FamilyFeaturizer.Create(Environment, Regularizer.BetaH, outputColumnName, inputColumnName, latentDim, iterations, decoupledPrior, options);

    /// <summary>The same for β-TCVAE, with the released α, β, γ.</summary>
    /// <inheritdoc cref="Vae" path="/param"/>
    public VaeFeaturizerEstimator BetaTcVae(string outputColumnName, string inputColumnName, int latentDim = VaePipelineDefaults.LatentDim,
        long iterations = VaePipelineDefaults.Iterations, bool decoupledPrior = false, VaeFeaturizerOptions? options = null) =>
        FamilyFeaturizer.Create(Environment, Regularizer.BetaTc, outputColumnName, inputColumnName, latentDim, iterations, decoupledPrior, options);

    /// <summary>The same for FactorVAE, with the released γ.</summary>
    /// <inheritdoc cref="Vae" path="/param"/>
    public VaeFeaturizerEstimator FactorVae(string outputColumnName, string inputColumnName, int latentDim = VaePipelineDefaults.LatentDim,
        long iterations = VaePipelineDefaults.Iterations, bool decoupledPrior = false, VaeFeaturizerOptions? options = null) =>
        FamilyFeaturizer.Create(Environment, Regularizer.Factor, outputColumnName, inputColumnName, latentDim, iterations, decoupledPrior, options);

    /// <summary>The same for InfoVAE (MMD), with the released α and λ.</summary>
    /// <inheritdoc cref="Vae" path="/param"/>
    public VaeFeaturizerEstimator InfoVae(string outputColumnName, string inputColumnName, int latentDim = VaePipelineDefaults.LatentDim,
        long iterations = VaePipelineDefaults.Iterations, bool decoupledPrior = false, VaeFeaturizerOptions? options = null) =>
        FamilyFeaturizer.Create(Environment, Regularizer.Info, outputColumnName, inputColumnName, latentDim, iterations, decoupledPrior, options);

    /// <summary>
    /// Trains a dpVAE-family model exactly as <paramref name="model"/> describes (VAE, β-VAE-H, β-VAE-B, β-TCVAE,
    /// FactorVAE, InfoVAE; with or without the decoupled flow prior; its own Iterations — the core default and the
    /// presets are the papers' budgets) and outputs its latent means.
    /// </summary>
    /// <param name="outputColumnName">Latent-mean output column (Vector&lt;Single, LatentDim&gt;).</param>
    /// <param name="inputColumnName">Float vector column of size prod(<see cref="DpVaeOptions.SampleShape"/>).</param>
    /// <param name="model">Model and optimizer settings (see <see cref="DpVaePresets"/>); LatentDim must be 2, 4, 8, …, 512.</param>
    /// <param name="options">Output, input scale, seed, progress and cancellation; null for the defaults.</param>
    public VaeFeaturizerEstimator DpVae(string outputColumnName, string inputColumnName, DpVaeOptions model, VaeFeaturizerOptions? options = null) =>
        new(Environment, new DpVaeRecipe(model), outputColumnName, inputColumnName, options);

    /// <summary>
    /// Trains a Soft-IntroVAE (standard or learned prior, per <paramref name="model"/>; see <see cref="SoftIntroPresets"/>)
    /// and outputs its latent means.
    /// </summary>
    public VaeFeaturizerEstimator SoftIntroVae(string outputColumnName, string inputColumnName, SoftIntroOptions model, VaeFeaturizerOptions? options = null) =>
        new(Environment, new SoftIntroRecipe(model), outputColumnName, inputColumnName, options);

    /// <summary>
    /// Trains a GAMIX-VAE (or its baseline, per <paramref name="model"/>; see <see cref="GamixPresets"/>) and outputs its latent means.
    /// </summary>
    public VaeFeaturizerEstimator Gamix(string outputColumnName, string inputColumnName, GamixOptions model, VaeFeaturizerOptions? options = null) =>
        new(Environment, new GamixRecipe(model), outputColumnName, inputColumnName, options);

    /// <summary>Trains the model described by any <see cref="VaeRecipe"/> and outputs its latent means.</summary>
    public VaeFeaturizerEstimator Train(string outputColumnName, string inputColumnName, VaeRecipe recipe, VaeFeaturizerOptions? options = null) =>
        new(Environment, recipe, outputColumnName, inputColumnName, options);

    /// <summary>
    /// A featurizer around a VAE trained elsewhere (e.g. loaded with the core's ModelStore); nothing is trained and
    /// the caller keeps ownership of <paramref name="model"/>.
    /// </summary>
    public VaeFeaturizerEstimator Featurize(string outputColumnName, string inputColumnName, IVaeModel model, VaeFeaturizerOptions? options = null) =>
        new(Environment, model, outputColumnName, inputColumnName, options);

    /// <summary>
    /// Reconstructions of <paramref name="inputColumnName"/> by a trained VAE (e.g. a fitted featurizer's
    /// <see cref="VaeMappingTransformer.Model"/>), as planar floats ready for ConvertToImage.
    /// </summary>
    public VaeReconstructionEstimator Reconstruct(string outputColumnName, string inputColumnName, IVaeModel model,
        VaeReconstructionOptions? options = null) =>
        new(Environment.Transforms, model, outputColumnName, inputColumnName, options);
}

/// <summary>Adds <see cref="Vae"/> to <see cref="MLContext"/>.</summary>
public static class VaeMLContextExtensions
{
    /// <summary>The VAE catalog of <paramref name="mlContext"/>.</summary>
    public static VaeCatalog Vae(this MLContext mlContext) => new(mlContext);
}
