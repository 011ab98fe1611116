using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Vae;
using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Evaluation;
using VaeMetricTable;

// Arguments: [training images = 3000] [VAE iterations = 600]
int trainCount = args.Length > 0 ? int.Parse(args[0]) : 3000;
long iterations = args.Length > 1 ? long.Parse(args[1]) : 600;

var mlContext = new MLContext(seed: 1);
var train = mlContext.Data.LoadFromEnumerable(Load(train: true, trainCount));
var test = mlContext.Data.LoadFromEnumerable(Load(train: false, 2000));

// One pipeline, one featurizer per candidate: each trains its own VAE on the same pixels.
IEstimator<ITransformer> pipeline = new EstimatorChain<ITransformer>();
foreach (var (column, vaeOptions) in Candidates.Create(iterations))
    pipeline = pipeline.Append(mlContext.Vae().DpVae(column, "Pixels", vaeOptions));
Console.WriteLine($"Training {Candidates.Create(iterations).Count} VAEs on {trainCount} images ({iterations} steps each)...");
var model = pipeline.Fit(train);

// FID needs features; a small classifier trained on Fashion-MNIST is cached and reused between runs.
using var trainSet = FashionMnist.LoadTrain(10_000);
using var testSet = FashionMnist.LoadTest(2000);
var classifier = ClassifierFeatureExtractor.GetOrTrain("fashion-mnist", trainSet, testSet);
using var features = classifier.Extractor;

var options = new VaeEvaluationOptions { FidFeatures = features, NllImportanceSamples = 100, Seed = 7 };
var rows = mlContext.Vae().EvaluateAll(model, test, "Label", options);
MetricTable.Print(rows);

static IEnumerable<ModelInput> Load(bool train, int count)
{
    using var data = train ? FashionMnist.LoadTrain(count) : FashionMnist.LoadTest(count);
    var pixels = data.Features.data<float>().ToArray();
    var labels = data.Labels!.data<long>().ToArray();
    return Enumerable.Range(0, labels.Length).Select(i => new ModelInput
    {
        Pixels = pixels.AsSpan(i * 784, 784).ToArray().Select(p => MathF.Round(p * 255)).ToArray(),
        Label = (uint)labels[i],
    }).ToArray();
}
