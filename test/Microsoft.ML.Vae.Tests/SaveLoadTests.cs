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
        var model = f.Context.Vae().Reconstruct("Reconstruction", "Pixels", f.Vae).Fit(data);
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
    public void PlainModelSaveAndLoadRoundTripAVaePipeline()
    {
        var f = SharedFeaturizer.Value;
        var path = TempPath("plain.zip");
        f.Context.Model.Save(f.Model, f.Train.Schema, path);

        var freshContext = new MLContext();
        var reloaded = freshContext.Model.Load(path, out var schema);
        var test = FashionMnistRows.View(freshContext, train: false, 100);
        var before = f.Context.Data.CreateEnumerable<Scored>(f.Model.Transform(test), reuseRowObject: false).ToArray();
        var after = freshContext.Data.CreateEnumerable<Scored>(reloaded.Transform(test), reuseRowObject: false).ToArray();
        for (int i = 0; i < before.Length; i++)
        {
            CollectionAssert.AreEqual(before[i].Features, after[i].Features, $"Latents of row {i}.");
            Assert.AreEqual(before[i].PredictedLabel, after[i].PredictedLabel, $"Prediction of row {i}.");
        }
        var type = (VectorDataViewType)reloaded.GetOutputSchema(schema)["Features"].Type;
        Assert.AreEqual(SharedFeaturizer.LatentDim, type.Size, "The latent size must survive the reload.");
        var engine = freshContext.Model.CreatePredictionEngine<FashionMnistRow, Scored>(reloaded);
        Assert.AreEqual(before[0].PredictedLabel, engine.Predict(FashionMnistRows.Load(train: false, 1)[0]).PredictedLabel);
    }

    [TestMethod]
    public void AFailedSaveLeavesNoFileBehind()
    {
        var mlContext = new MLContext(seed: 1);
        var data = FashionMnistRows.View(mlContext, train: false, 20);
        using var vae = new Core.Models.DpVae(SharedFeaturizer.Options());
        var featurizer = mlContext.Vae().Featurize("Features", "Pixels", vae).Fit(data);
        featurizer.Dispose();
        var path = TempPath("refused.zip");
        Assert.ThrowsExactly<ObjectDisposedException>(() => VaeModelFile.Save(mlContext, featurizer, data.Schema, path));
        Assert.IsFalse(File.Exists(path), "A refused save must not leave a file.");
    }

    [TestMethod]
    public void ATruncatedModelFileIsReportedWithItsOwnMessage()
    {
        var f = SharedFeaturizer.Value;
        var path = TempPath("whole.zip");
        VaeModelFile.Save(f.Context, f.Model, f.Train.Schema, path);
        var bytes = File.ReadAllBytes(path);
        foreach (var length in new[] { bytes.Length / 2, bytes.Length - 100, 10 })
        {
            var truncated = TempPath($"truncated-{length}.zip");
            File.WriteAllBytes(truncated, bytes[..length]);
            var ex = Assert.ThrowsExactly<InvalidDataException>(() => VaeModelFile.Load(new MLContext(), truncated, out _), $"{length} bytes.");
            StringAssert.Contains(ex.Message, truncated);
            Assert.IsFalse(ex.Message.Contains("target of an invocation"), ex.Message);
        }
    }

    [TestMethod]
    public void ACorruptedEmbeddedModelIsReportedWithItsOwnMessage()
    {
        var f = SharedFeaturizer.Value;
        var path = TempPath("corrupted.zip");
        VaeModelFile.Save(f.Context, f.Model, f.Train.Schema, path);
        // Overwrite the middle of the value-mapping table that carries the weights.
        using (var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Single(e => e.FullName.EndsWith("DefaultMap.idv", StringComparison.Ordinal));
            byte[] table;
            using (var s = entry.Open()) { using var ms = new MemoryStream(); s.CopyTo(ms); table = ms.ToArray(); }
            for (int i = table.Length / 2; i < table.Length / 2 + 64; i++) table[i] = (byte)'!';
            entry.Delete();
            using var w = zip.CreateEntry(entry.FullName).Open();
            w.Write(table);
        }
        var ex = Assert.Throws<Exception>(() => VaeModelFile.Load(new MLContext(), path, out _));
        Assert.IsInstanceOfType<InvalidDataException>(ex);
        StringAssert.Contains(ex.Message, path);
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
