// A user's first program with the packages: a VAE featurizer and a classifier in one ML.NET pipeline,
// saved, reloaded in a fresh MLContext, predictions compared. Prints "identical predictions: N rows" on success.
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Vae;

string modelPath = args.Length > 0 ? args[0] : "model.zip";

var mlContext = new MLContext(seed: 1);
var train = mlContext.Data.LoadFromEnumerable(Row.Make(600, seed: 1));
var test = mlContext.Data.LoadFromEnumerable(Row.Make(200, seed: 2));

var pipeline = mlContext.Transforms.Conversion.MapValueToKey("Label")
    .Append(mlContext.Vae().Vae("Features", "Pixels", latentDim: 4, iterations: 300))
    .Append(mlContext.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"))
    .Append(mlContext.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
var model = pipeline.Fit(train);

var metrics = mlContext.MulticlassClassification.Evaluate(model.Transform(test));
Console.WriteLine($"micro accuracy: {metrics.MicroAccuracy:F3}");

// Plain ML.NET saving: the VAE's weights travel inside the .zip.
mlContext.Model.Save(model, train.Schema, modelPath);
var before = Predict(mlContext, model, test);

var freshContext = new MLContext(seed: 7);
var reloaded = freshContext.Model.Load(modelPath, out _);
var after = Predict(freshContext, reloaded, test);

for (int i = 0; i < before.Length; i++)
{
    if (before[i].PredictedLabel != after[i].PredictedLabel || !before[i].Score.SequenceEqual(after[i].Score))
    {
        Console.WriteLine($"row {i}: predictions differ after reload");
        return 1;
    }
}
Console.WriteLine($"identical predictions: {before.Length} rows");
return 0;

static Prediction[] Predict(MLContext context, ITransformer model, IDataView data) =>
    context.Data.CreateEnumerable<Prediction>(model.Transform(data), reuseRowObject: false).ToArray();

/// <summary>Two classes of 64-pixel "images" (0–255, as ExtractPixels gives): a bright left half or a bright right half, with noise.</summary>
internal sealed class Row
{
    public const int Size = 64;

    public string Label { get; set; } = "";

    [VectorType(Size)]
    public float[] Pixels { get; set; } = [];

    public static IEnumerable<Row> Make(int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            bool left = random.Next(2) == 0;
            var pixels = new float[Size];
            for (int j = 0; j < Size; j++)
                pixels[j] = (float)Math.Clamp((left == j < Size / 2 ? 220 : 35) + 40 * (random.NextDouble() - 0.5), 0, 255);
            yield return new Row { Label = left ? "left" : "right", Pixels = pixels };
        }
    }
}

internal sealed class Prediction
{
    public string PredictedLabel { get; set; } = "";

    public float[] Score { get; set; } = [];
}
