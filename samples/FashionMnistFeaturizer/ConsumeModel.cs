using Microsoft.ML;

namespace FashionMnistFeaturizer;

/// <summary>Loads the saved model in a fresh MLContext, as generated ML.NET code does, and predicts one image.</summary>
public static class ConsumeModel
{
    /// <summary>The prediction for <paramref name="input"/> by the model saved at <paramref name="path"/>.</summary>
    public static ModelOutput Predict(string path, ModelInput input)
    {
        var mlContext = new MLContext();
        // Plain ML.NET loading: the VAE's weights travel inside the model file.
        var model = mlContext.Model.Load(path, out _);
        var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(model);
        return engine.Predict(input);
    }
}
