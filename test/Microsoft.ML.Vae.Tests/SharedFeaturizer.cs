using Microsoft.ML;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;

namespace Microsoft.ML.Vae.Tests;

/// <summary>
/// One small VAE featurizer pipeline trained once for the whole test run (about 5 s on two cores, most of it SDCA):
/// label → key, a 16-dimensional MLP VAE trained on 1000 Fashion-MNIST training images for 150 steps,
/// a cache checkpoint, mean/variance normalization, SdcaMaximumEntropy, key → label.
/// </summary>
internal static class SharedFeaturizer
{
    public const int LatentDim = 16;
    public const int TrainRows = 1000;
    public const int TestRows = 1000;

    private static readonly Lazy<Fixture> _fixture = new(Create);

    /// <summary>The fixture (throws the inconclusive result when Fashion-MNIST is missing).</summary>
    public static Fixture Value => _fixture.Value;

    /// <summary>The dpVAE settings of the shared model: a plain VAE, MLP networks on 1×28×28 images.</summary>
    public static DpVaeOptions Options(int latentDim = LatentDim) => new()
    {
        Regularizer = Regularizer.Vae,
        LatentDim = latentDim,
        SampleShape = [1, 28, 28],
        Network = NetworkKind.Mlp,
        BatchSize = 100,
        LearningRate = 1e-3,
        Iterations = 150,
    };

    /// <summary>The pipeline up to and including the featurizer.</summary>
    public static IEstimator<ITransformer> FeaturizerPipeline(MLContext mlContext) =>
        mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Vae().DpVae("Features", "Pixels", Options(), new VaeFeaturizerOptions { LogVarianceColumnName = "LogVariance" }));

    private static Fixture Create()
    {
        var mlContext = new MLContext(seed: 1);
        var train = FashionMnistRows.View(mlContext, train: true, TrainRows);
        var test = FashionMnistRows.View(mlContext, train: false, TestRows);
        // The featurizer runs the VAE per row; caching its output keeps SDCA's many passes from re-encoding
        // every row each time (minutes instead of seconds).
        var pipeline = FeaturizerPipeline(mlContext)
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.Transforms.NormalizeMeanVariance("FeaturesNormalized", "Features"))
            .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "FeaturesNormalized"))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        var model = pipeline.Fit(train);
        var featurizer = VaeModelFile.FindTransformers(model).OfType<VaeFeaturizerTransformer>().Single();
        return new Fixture(mlContext, train, test, model, featurizer);
    }

    /// <summary>The trained pipeline and its data.</summary>
    public sealed record Fixture(MLContext Context, IDataView Train, IDataView Test, ITransformer Model, VaeFeaturizerTransformer Featurizer)
    {
        /// <summary>The trained VAE.</summary>
        public IVaeModel Vae => Featurizer.Model;
    }
}
