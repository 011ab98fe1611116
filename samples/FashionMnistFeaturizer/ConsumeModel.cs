using Microsoft.ML;
using Microsoft.ML.Vae;

namespace FashionMnistFeaturizer;

/// <summary>Loads the saved model in a fresh MLContext and predicts one image.</summary>
public static class ConsumeModel
{
    /// <summary>The prediction for <paramref name="input"/> by the model saved at <paramref name="path"/>.</summary>
    public static ModelOutput Predict(string path, ModelInput input)
    {
        var mlContext = new MLContext();
        using var loaded = VaeModelFile.Load(mlContext, path);
        var engine = mlContext.Model.CreatePredictionEngine<ModelInput, ModelOutput>(loaded.Transformer);
        return engine.Predict(input);
    }
}
