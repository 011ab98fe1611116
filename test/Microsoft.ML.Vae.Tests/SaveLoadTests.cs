using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Vae.Tests;

[TestClass]
public sealed class SaveLoadTests
{
    public TestContext TestContext { get; set; } = null!;

    private string TempPath(string name) => Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}-{name}");

    private sealed class Scored
    {
        public float[] Features { get; set; } = [];
        public uint PredictedLabel { get; set; }
    }

    [TestMethod]
    public void ReloadInAFreshContextGivesIdenticalLatentsAndPredictions()
    {
        var f = SharedFeaturizer.Value;
        var path = TempPath("featurizer.zip");
        VaeModelFile.Save(f.Context, f.Model, f.Train.Schema, path);

        var freshContext = new MLContext(seed: 123);
        var test = FashionMnistRows.View(freshContext, train: false, 200);
        using var loaded = VaeModelFile.Load(freshContext, path);
        var before = f.Context.Data.CreateEnumerable<Scored>(f.Model.Transform(test), reuseRowObject: false).ToArray();
        var after = freshContext.Data.CreateEnumerable<Scored>(loaded.Transformer.Transform(test), reuseRowObject: false).ToArray();

        Assert.HasCount(before.Length, after);
        for (int i = 0; i < before.Length; i++)
        {
            CollectionAssert.AreEqual(before[i].Features, after[i].Features, $"Latents of row {i}.");
            Assert.AreEqual(before[i].PredictedLabel, after[i].PredictedLabel, $"Prediction of row {i}.");
        }
        var type = (VectorDataViewType)loaded.Transformer.GetOutputSchema(loaded.InputSchema)["Features"].Type;
        Assert.AreEqual(SharedFeaturizer.LatentDim, type.Size, "The latent size must survive the reload.");
        Assert.HasCount(1, loaded.Models);
        Assert.AreEqual("vae", loaded.Models[0].Kind);
    }

    [TestMethod]
    public void PredictionEngineOnReloadedModelMatchesTheOriginal()
    {
        var f = SharedFeaturizer.Value;
        var path = TempPath("engine.zip");
        VaeModelFile.Save(f.Context, f.Model, f.Train.Schema, path);
        var freshContext = new MLContext();
        var model = VaeModelFile.Load(freshContext, path, out _);
        var row = FashionMnistRows.Load(train: false, 1)[0];
        var original = f.Context.Model.CreatePredictionEngine<FashionMnistRow, Scored>(f.Model).Predict(row);
        var reloaded = freshContext.Model.CreatePredictionEngine<FashionMnistRow, Scored>(model).Predict(row);
        CollectionAssert.AreEqual(original.Features, reloaded.Features);
        Assert.AreEqual(original.PredictedLabel, reloaded.PredictedLabel);
    }

    [TestMethod]
    public void ReconstructionSurvivesSaveAndLoadWithItsImageShape()
    {
        var f = SharedFeaturizer.Value;
        var data = FashionMnistRows.View(f.Context, train: false, 20);
        var model = f.Context.Vae().Reconstruct(f.Vae, "Reconstruction", "Pixels").Fit(data);
        var path = TempPath("reconstruction.zip");
        VaeModelFile.Save(f.Context, model, data.Schema, path);

        var freshContext = new MLContext();
        var reloaded = VaeModelFile.Load(freshContext, path, out var schema);
        var type = (VectorDataViewType)reloaded.GetOutputSchema(schema)["Reconstruction"].Type;
        CollectionAssert.AreEqual(new[] { 3, 28, 28 }, type.Dimensions.ToArray());
        var before = model.Transform(data).GetColumn<float[]>("Reconstruction").ToArray();
        var after = reloaded.Transform(data).GetColumn<float[]>("Reconstruction").ToArray();
        for (int i = 0; i < before.Length; i++) CollectionAssert.AreEqual(before[i], after[i], $"Row {i}.");
        Assert.IsTrue(before.SelectMany(r => r).All(v => v is >= 0 and <= 255), "Reconstructions must lie in [0, 255].");
    }

    [TestMethod]
    public void SavingWithPlainModelSaveIsRefusedWithAClearMessage()
    {
        var f = SharedFeaturizer.Value;
        using var stream = new MemoryStream();
        var ex = Assert.Throws<Exception>(() => f.Context.Model.Save(f.Model, f.Train.Schema, stream));
        StringAssert.Contains(ex.ToString(), "VaeModelFile.Save");
    }

    [TestMethod]
    public void LoadingWithPlainModelLoadIsRefusedWithAClearMessage()
    {
        var f = SharedFeaturizer.Value;
        var path = TempPath("plain-load.zip");
        VaeModelFile.Save(f.Context, f.Model, f.Train.Schema, path);
        var ex = Assert.Throws<Exception>(() => new MLContext().Model.Load(path, out _));
        StringAssert.Contains(ex.ToString(), "VaeModelFile.Load");
    }

    [TestMethod]
    public void ModelsWithoutVaesRoundTripThroughTheHelpers()
    {
        var mlContext = new MLContext(seed: 1);
        var data = FashionMnistRows.View(mlContext, train: false, 50);
        var model = mlContext.Transforms.NormalizeMinMax("Pixels").Fit(data);
        using var stream = new MemoryStream();
        VaeModelFile.Save(mlContext, model, data.Schema, stream);
        stream.Position = 0;
        using var loaded = VaeModelFile.Load(new MLContext(), stream);
        Assert.IsEmpty(loaded.Models);
        var before = model.Transform(data).GetColumn<float[]>("Pixels").First();
        var after = loaded.Transformer.Transform(data).GetColumn<float[]>("Pixels").First();
        CollectionAssert.AreEqual(before, after);
    }
}
