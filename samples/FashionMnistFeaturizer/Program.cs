using FashionMnistFeaturizer;
using Microsoft.ML;

// Arguments: [training images = 5000] [VAE iterations = 3000] [model path = fashion-mnist-vae.zip]
int trainCount = args.Length > 0 ? int.Parse(args[0]) : 5000;
long iterations = args.Length > 1 ? long.Parse(args[1]) : 3000;
string modelPath = args.Length > 2 ? args[2] : "fashion-mnist-vae.zip";

var mlContext = new MLContext(seed: 1);
var train = mlContext.Data.LoadFromEnumerable(FashionMnistData.Load(train: true, trainCount));
var test = mlContext.Data.LoadFromEnumerable(FashionMnistData.Load(train: false, 2000));

Console.WriteLine($"Training a VAE featurizer and SdcaMaximumEntropy on {trainCount} images ({iterations} VAE steps)...");
var watch = System.Diagnostics.Stopwatch.StartNew();
var model = ModelBuilder.TrainModel(train, ModelBuilder.BuildTrainingPipeline(mlContext, iterations));
Console.WriteLine($"  trained in {watch.Elapsed.TotalSeconds:F1} s");
double vaeAccuracy = ModelBuilder.Evaluate(mlContext, model, test, $"VAE features ({ModelBuilder.LatentDim})", confusionMatrix: true);
ModelBuilder.SaveModel(mlContext, model, train.Schema, modelPath);
GeneratedGrid.Write(mlContext, model, Path.ChangeExtension(modelPath, ".samples.png"));

// The same trainer on the raw pixels of the same rows: what the VAE features are worth.
watch.Restart();
var raw = ModelBuilder.TrainModel(train, ModelBuilder.BuildRawPixelPipeline(mlContext));
Console.WriteLine($"  raw-pixel baseline trained in {watch.Elapsed.TotalSeconds:F1} s");
double rawAccuracy = ModelBuilder.Evaluate(mlContext, raw, test, "raw pixels (784)");
Console.WriteLine($"VAE features / raw pixels: accuracy {vaeAccuracy:F3} / {rawAccuracy:F3} with {784.0 / ModelBuilder.LatentDim:F1}x fewer features");

var sample = FashionMnistData.Load(train: false, 1)[0];
var prediction = ConsumeModel.Predict(modelPath, sample);
Console.WriteLine($"Reloaded model: true class '{sample.Label}', predicted '{prediction.PredictedLabel}', " +
                  $"latent [{string.Join(", ", prediction.Features.Take(4).Select(v => v.ToString("F2")))}, ...]");
