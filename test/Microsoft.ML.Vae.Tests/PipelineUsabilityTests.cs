using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Vae.Core.Training;

namespace Microsoft.ML.Vae.Tests;

[TestClass]
public sealed class PipelineUsabilityTests
{
    private sealed class ColorRow
    {
        [VectorType(3, 28, 28)]
        public float[] Pixels { get; set; } = new float[3 * 28 * 28];
    }

    private sealed class CallbackProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    [TestMethod]
    public void TransformsCatalogFeaturizerReportsStagesAndProgressToTheContextLog()
    {
        var mlContext = new MLContext(seed: 1);
        var messages = new List<LoggingEventArgs>();
        mlContext.Log += (_, e) => { lock (messages) messages.Add(e); };
        var data = FashionMnistRows.View(mlContext, train: true, 300);

        using var featurizer = mlContext.Transforms.FeaturizeWithVae("Features", "Pixels", latentDim: 8, iterations: 40,
            options: new VaeFeaturizerOptions { LogInterval = 20 }).Fit(data);

        CollectionAssert.AreEqual(new long[] { 1, 28, 28 }, featurizer.Model.SampleShape.ToArray(), "784 raw pixels are one 28×28 plane.");
        Assert.AreEqual(8, ((VectorDataViewType)featurizer.GetOutputSchema(data.Schema)["Features"].Type).Size);
        var ours = messages.Where(m => m.Source.StartsWith("Microsoft.ML.Vae.Featurizer", StringComparison.Ordinal)).Select(m => m.RawMessage).ToList();
        Assert.IsTrue(ours.Any(m => m.StartsWith("Read 300 rows of column 'Pixels'", StringComparison.Ordinal)), string.Join("\n", ours));
        Assert.IsTrue(ours.Any(m => m.StartsWith("Training a 'vae' model", StringComparison.Ordinal)), string.Join("\n", ours));
        Assert.IsTrue(ours.Any(m => m.StartsWith("Step 20/40:", StringComparison.Ordinal)), string.Join("\n", ours));
        Assert.IsTrue(ours.Any(m => m.StartsWith("Trained 40 steps", StringComparison.Ordinal)), string.Join("\n", ours));
    }

    [TestMethod]
    public void DataAlreadyInTheUnitRangeWithTheDefaultScaleIsWarnedAboutInTheLog()
    {
        var mlContext = new MLContext(seed: 1);
        var warnings = new List<string>();
        mlContext.Log += (_, e) => { if (e.Kind == Microsoft.ML.Runtime.ChannelMessageKind.Warning) lock (warnings) warnings.Add(e.Message); };
        // Fashion-MNIST rows divided by 255: [0, 1] data fed with the default InputScale of 1/255.
        var unit = mlContext.Transforms.CustomMapping<PixelRow, PixelRow>((i, o) => o.Pixels = i.Pixels.Select(v => v / 255f).ToArray(), null)
            .Fit(FashionMnistRows.View(mlContext, train: true, 100)).Transform(FashionMnistRows.View(mlContext, train: true, 100));
        using (mlContext.Vae().Vae("F", "Pixels", latentDim: 2, iterations: 2).Fit(unit)) { }
        Assert.AreEqual(1, warnings.Count(w => w.Contains("InputScale = 1", StringComparison.Ordinal)), string.Join("\n", warnings));

        warnings.Clear();
        using (mlContext.Vae().Vae("F", "Pixels", latentDim: 2, iterations: 2, options: new VaeFeaturizerOptions { InputScale = 1 }).Fit(unit)) { }
        using (mlContext.Vae().Vae("F", "Pixels", latentDim: 2, iterations: 2).Fit(FashionMnistRows.View(mlContext, train: true, 100))) { }
        Assert.AreEqual(0, warnings.Count(w => w.Contains("InputScale", StringComparison.Ordinal)), string.Join("\n", warnings));
    }

    private sealed class PixelRow
    {
        [Microsoft.ML.Data.VectorType(784)]
        public float[] Pixels { get; set; } = [];
    }

    [TestMethod]
    public void EachFamilyIsOneCatalogCall()
    {
        var mlContext = new MLContext(seed: 1);
        var data = FashionMnistRows.View(mlContext, train: true, 100);
        var vae = mlContext.Vae();
        var calls = new (string Kind, VaeFeaturizerEstimator Estimator)[]
        {
            ("vae", vae.Vae("F", "Pixels", latentDim: 4, iterations: 5)),
            ("dp-vae", vae.Vae("F", "Pixels", latentDim: 4, iterations: 5, decoupledPrior: true)),
            ("beta-h", vae.BetaVae("F", "Pixels", latentDim: 4, iterations: 5)),
            ("beta-tc", vae.BetaTcVae("F", "Pixels", latentDim: 4, iterations: 5)),
            ("factor", vae.FactorVae("F", "Pixels", latentDim: 4, iterations: 5)),
            ("info", vae.InfoVae("F", "Pixels", latentDim: 4, iterations: 5)),
        };
        foreach (var (kind, estimator) in calls)
        {
            using var fitted = estimator.Fit(data);
            Assert.AreEqual(kind, fitted.Model.Kind);
            Assert.AreEqual(4, fitted.LatentDim);
        }
    }

    [TestMethod]
    public void CancellingTheContextStopsTrainingLikeMlNetTrainers()
    {
        var mlContext = new MLContext(seed: 1);
        var data = FashionMnistRows.View(mlContext, train: true, 200);
        // MLContext.CancelExecution is internal to ML.NET (AutoML calls it to stop a trial); the test calls it the same way.
        var cancel = typeof(MLContext).GetMethod("CancelExecution", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        Assert.IsNotNull(cancel, "This ML.NET version has no MLContext.CancelExecution.");
        long lastStep = 0;
        var options = new VaeFeaturizerOptions
        {
            LogInterval = 5,
            Progress = new CallbackProgress(p => { lastStep = p.Step; if (p.Step == 5) cancel.Invoke(mlContext, null); }),
        };
        var estimator = mlContext.Vae().Vae("F", "Pixels", latentDim: 4, iterations: 100_000, options: options);
        var ex = Assert.ThrowsExactly<OperationCanceledException>(() => estimator.Fit(data));
        StringAssert.Contains(ex.Message, "cancelled");
        Assert.IsLessThan(100_000L, lastStep, "Training must stop long before its budget.");
    }

    [TestMethod]
    public void AGrayModelFedThreeColorPlanesNamesColorsToExtract()
    {
        var mlContext = new MLContext(seed: 1);
        using var model = new Core.Models.DpVae(SharedFeaturizer.Options());
        var data = mlContext.Data.LoadFromEnumerable(new[] { new ColorRow() });
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Vae().Featurize("F", "Pixels", model).Fit(data));
        StringAssert.Contains(ex.Message, "colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red");
    }
}
