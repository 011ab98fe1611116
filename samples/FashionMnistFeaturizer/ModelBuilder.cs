using Microsoft.ML;
using Microsoft.ML.Vae;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;

namespace FashionMnistFeaturizer;

/// <summary>Builds, trains, evaluates and saves the model (the structure Model Builder generates).</summary>
public static class ModelBuilder
{
    /// <summary>Features the VAE makes from the 784 pixels.</summary>
    public const int LatentDim = 32;

    /// <summary>
    /// Label → key; pixels → 32 latent features from a VAE trained inside the pipeline (squared error weighted 50:
    /// sharper reconstructions make more informative features); a cache checkpoint
    /// (the VAE encodes row by row, and SDCA reads the data many times); normalization; SdcaMaximumEntropy;
    /// key → label.
    /// </summary>
    public static IEstimator<ITransformer> BuildTrainingPipeline(MLContext mlContext, long vaeIterations)
    {
        var vae = new DpVaeOptions
        {
            Regularizer = Regularizer.Vae,
            LatentDim = LatentDim,
            SampleShape = [1, 28, 28],
            Network = NetworkKind.Mlp,
            BatchSize = 100,
            LearningRate = 1e-3,
            MseWeight = 50,
            Iterations = vaeIterations,
        };
        return mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Vae().DpVae("Features", "Pixels", vae))
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.Transforms.NormalizeMeanVariance("Features"))
            .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features"))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
    }

    /// <summary>
    /// The baseline the VAE features are measured against: the same normalization and trainer on the 784 raw
    /// pixels of the same rows.
    /// </summary>
    public static IEstimator<ITransformer> BuildRawPixelPipeline(MLContext mlContext) =>
        mlContext.Transforms.Conversion.MapValueToKey("Label")
            .Append(mlContext.Transforms.NormalizeMeanVariance("Features", "Pixels"))
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features"))
            .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

    /// <summary>Fits the pipeline.</summary>
    public static ITransformer TrainModel(IDataView trainingData, IEstimator<ITransformer> pipeline) => pipeline.Fit(trainingData);

    /// <summary>Prints accuracy (and, when asked, the confusion matrix) on <paramref name="testData"/>; returns the micro accuracy.</summary>
    public static double Evaluate(MLContext mlContext, ITransformer model, IDataView testData, string name, bool confusionMatrix = false)
    {
        var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(testData), "Label");
        Console.WriteLine($"{name}: micro accuracy {metrics.MicroAccuracy:F3}   macro accuracy {metrics.MacroAccuracy:F3}   log-loss {metrics.LogLoss:F3}");
        if (confusionMatrix) Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
        return metrics.MicroAccuracy;
    }

    /// <summary>Saves the model with the VAE weights inside the .zip (written only once complete; plain mlContext.Model.Save also works).</summary>
    public static void SaveModel(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string path)
    {
        VaeModelFile.Save(mlContext, model, inputSchema, path);
        Console.WriteLine($"Saved {path} ({new FileInfo(path).Length / 1024} KiB).");
    }
}
