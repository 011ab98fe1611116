using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Tests;

using DpVaeModel = Microsoft.ML.Vae.Core.Models.DpVae;

/// <summary>The recipes of the three families train inside Fit; the shared recipe base checks and cleans up.</summary>
[TestClass]
public sealed class RecipeTests
{
    private sealed class PointRow
    {
        [VectorType(2)]
        public float[] Point { get; set; } = new float[2];
    }

    private sealed class ImageRow
    {
        [VectorType(3 * 16 * 16)]
        public float[] Pixels { get; set; } = new float[3 * 16 * 16];
    }

    /// <summary>A recipe of one's own whose training program cannot be built.</summary>
    private sealed class BrokenProgramRecipe(DpVaeOptions options)
        : VaeRecipe("DpVaeOptions", options.Kind, options.SampleShape, options.LatentDim, options.BatchSize, options.Iterations)
    {
        public DpVaeModel? Built { get; private set; }

        protected override VaeTrainingSetup CreateSetup(long datasetSize, Device device) =>
            Own(Built = new DpVaeModel(options, device), _ => throw new InvalidOperationException("no program"));
    }

    /// <summary>
    /// Tensors made on this thread and not yet disposed (Fit runs on the caller's thread). Not
    /// <c>torch.Tensor.TotalCount</c>: TorchSharp 0.107 never takes back the count of the tensor a
    /// <c>Parameter</c> is made from, so that count grows with every parameter ever built, disposed or not.
    /// </summary>
    private static long LiveTensors => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;

    /// <summary>Points on a noisy ring, a 2-D data set a small Soft-IntroVAE learns quickly.</summary>
    private static PointRow[] Ring(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            double angle = random.NextDouble() * 2 * Math.PI;
            double radius = 2 + 0.1 * random.NextDouble();
            return new PointRow { Point = [(float)(radius * Math.Cos(angle)), (float)(radius * Math.Sin(angle))] };
        }).ToArray();
    }

    private static float[][] Latents(ITransformer transformer, IDataView data) =>
        transformer.Transform(data).GetColumn<float[]>("Features").ToArray();

    [TestMethod]
    public void SoftIntroWithADataInitializedPriorTrainsInsideFit()
    {
        var mlContext = new MLContext(seed: 3);
        var data = mlContext.Data.LoadFromEnumerable(Ring(256, seed: 3));
        var options = new SoftIntroOptions
        {
            SampleShape = [2], LatentDim = 2, MlpHiddenSizes = [16, 16], PriorKind = SoftIntroPriorKind.Mixture, Components = 4,
            BatchSize = 32, Iterations = 20,
        };

        using var transformer = mlContext.Vae().SoftIntroVae("Features", "Point", options, new VaeFeaturizerOptions { InputScale = 1 }).Fit(data);

        Assert.AreEqual(new SoftIntroRecipe(options).Kind, transformer.Model.Kind);
        var latents = Latents(transformer, data);
        Assert.HasCount(256, latents);
        Assert.IsTrue(latents.All(z => z.Length == 2 && z.All(float.IsFinite)));
    }

    [TestMethod]
    public void GamixBaselineTrainsInsideFit()
    {
        var mlContext = new MLContext(seed: 4);
        var random = new Random(4);
        var rows = Enumerable.Range(0, 16).Select(_ => new ImageRow
        {
            Pixels = Enumerable.Range(0, 3 * 16 * 16).Select(_ => (float)random.Next(256)).ToArray(),
        }).ToArray();
        var data = mlContext.Data.LoadFromEnumerable(rows);
        var options = GamixPresets.AsBaseline(new GamixOptions
        {
            SampleShape = [3, 16, 16], LatentDim = 8, Filters = 4, Stages = 2, BatchSize = 4, Iterations = 3, LearningRate = 1e-3,
        });

        using var transformer = mlContext.Vae().Gamix("Features", "Pixels", options).Fit(data);

        Assert.AreEqual(options.Kind, transformer.Model.Kind);
        var latents = Latents(transformer, data);
        Assert.IsTrue(latents.All(z => z.Length == 8 && z.All(float.IsFinite)));
    }

    [TestMethod]
    public void FewerRowsThanOneBatchAreRejectedNamingTheOptionsToChange()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 50).Select(_ => new FashionMnistRow { Pixels = new float[784] }));
        var estimator = mlContext.Vae().DpVae("Features", "Pixels", SharedFeaturizer.Options());

        var ex = Assert.ThrowsExactly<ArgumentException>(() => estimator.Fit(data));
        StringAssert.Contains(ex.Message, "50 rows, fewer than one batch (100)");
        StringAssert.Contains(ex.Message, "DpVaeOptions.BatchSize");
    }

    [TestMethod]
    public void AModelWhoseProgramCannotBeBuiltIsDisposed()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(Enumerable.Range(0, 100).Select(_ => new FashionMnistRow { Pixels = new float[784] }));
        var recipe = new BrokenProgramRecipe(SharedFeaturizer.Options());
        long baseline = LiveTensors;

        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => mlContext.Vae().Train("Features", "Pixels", recipe).Fit(data));

        Assert.AreEqual("no program", ex.Message);
        Assert.IsNotNull(recipe.Built);
        Assert.AreEqual(baseline, LiveTensors, "The model's parameters must be freed.");
    }

    [TestMethod]
    [DataRow(0, 100, 10L, "latentDim")]
    [DataRow(16, 0, 10L, "batchSize")]
    [DataRow(16, 100, 0L, "iterations")]
    public void ACustomRecipeWithAnOutOfRangeSettingIsRejected(int latentDim, int batchSize, long iterations, string parameter)
    {
        var options = SharedFeaturizer.Options();
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            new OutOfRangeRecipe(options.SampleShape, latentDim, batchSize, iterations));
        Assert.AreEqual(parameter, ex.ParamName);
    }

    private sealed class OutOfRangeRecipe(long[] sampleShape, int latentDim, int batchSize, long iterations)
        : VaeRecipe("TestOptions", "test", sampleShape, latentDim, batchSize, iterations)
    {
        protected override VaeTrainingSetup CreateSetup(long datasetSize, Device device) => throw new NotSupportedException();
    }
}
