using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>Model files: round trips, info without building, atomic saves.</summary>
[TestClass]
public sealed class PersistenceModelStoreTests
{
    internal static ModelRegistry Registry()
    {
        var r = new ModelRegistry();
        r.Register(new PersistenceTestFamily());
        return r;
    }

    internal static PersistenceTestModel NewModel()
    {
        torch.manual_seed(21);
        return new PersistenceTestModel(new PersistenceTestOptions { Hidden = 6, LatentDim = 3, SampleShape = [2, 3], Note = "ünïcode" });
    }

    [TestMethod]
    public void SaveAndLoadGiveTheSameModel()
    {
        long baseline = LiveTensors.Count;
        using var folder = new TrainingTestFolder();
        var path = Path.Combine(folder.Path, "model.zip");
        var history = new TrainingHistory();
        history.Add(100, new Dictionary<string, double> { ["loss"] = 1.25, ["kl"] = 0.5 });
        using (var model = NewModel())
        {
            ModelStore.Save(model, path, history);
            using var loaded = ModelStore.Load(path, torch.CPU, Registry());
            Assert.IsInstanceOfType<PersistenceTestModel>(loaded);
            Assert.IsFalse(((PersistenceTestModel)loaded).training, "loaded models are in evaluation mode");
            Assert.AreEqual(3, loaded.LatentDim);
            CollectionAssert.AreEqual(new long[] { 2, 3 }, loaded.SampleShape);
            var options = (PersistenceTestOptions)loaded.Options;
            Assert.AreEqual(PersistenceTestActivation.LeakyRelu, options.Activation);
            Assert.AreEqual(double.PositiveInfinity, options.ClipValue);
            Assert.AreEqual("ünïcode", options.Note);
            foreach (var (name, t) in model.StateDict())
                CollectionAssert.AreEqual(t.data<float>().ToArray(), loaded.StateDict()[name].data<float>().ToArray(), name);

            using var scope = torch.NewDisposeScope();
            var x = torch.randn(5, 2, 3);
            model.SetTraining(false);
            CollectionAssert.AreEqual(model.Encode(x).Mean.data<float>().ToArray(), loaded.Encode(x).Mean.data<float>().ToArray());
        }
        var back = ModelStore.ReadHistory(path)!;
        Assert.AreEqual(history.ToCsv(), back.ToCsv());
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void ConfigIsCamelCaseWithEnumsAsStrings()
    {
        using var folder = new TrainingTestFolder();
        var path = Path.Combine(folder.Path, "model.zip");
        using (var model = NewModel()) ModelStore.Save(model, path);
        using var zip = ZipFile.OpenRead(path);
        CollectionAssert.AreEquivalent(new[] { "config.json", "weights.safetensors" }, zip.Entries.Select(e => e.FullName).ToArray());
        using var reader = new StreamReader(zip.GetEntry("config.json")!.Open());
        var config = JsonNode.Parse(reader.ReadToEnd())!.AsObject();
        Assert.AreEqual(ModelStore.FormatVersion, (int)config["formatVersion"]!);
        Assert.AreEqual("test-ae", (string)config["kind"]!);
        Assert.AreEqual(3, (int)config["latentDim"]!);
        Assert.AreEqual("[2,3]", config["sampleShape"]!.ToJsonString());
        Assert.AreEqual("leakyRelu", (string)config["options"]!["activation"]!);
        Assert.AreEqual("Infinity", (string)config["options"]!["clipValue"]!);
        Assert.AreEqual(6, (int)config["options"]!["hidden"]!);
        Assert.AreEqual("6x3", (string)config["options"]!["summary"]!);
        Assert.IsFalse(string.IsNullOrEmpty((string)config["libraryVersion"]!));
        Assert.IsTrue(DateTime.UtcNow - DateTime.Parse((string)config["createdUtc"]!).ToUniversalTime() < TimeSpan.FromMinutes(5));
    }

    [TestMethod]
    public void ReadInfoCountsWeightsWithoutBuildingTheModel()
    {
        using var folder = new TrainingTestFolder();
        var path = Path.Combine(folder.Path, "model.zip");
        long expected;
        using (var model = NewModel())
        {
            expected = model.StateDict().Values.Sum(t => t.numel());
            ModelStore.Save(model, path);
        }
        // An empty registry proves that no family is needed.
        var info = ModelStore.ReadInfo(path);
        Assert.AreEqual("test-ae", info.Config.Kind);
        Assert.AreEqual(3, info.Config.LatentDim);
        Assert.AreEqual(expected, info.ParameterCount);
        Assert.AreEqual(9, info.TensorCount);
        Assert.IsFalse(info.HasHistory);
        Assert.IsTrue(info.WeightsBytes > expected * 4);
        Assert.AreEqual(6, info.Config.GetOptions<PersistenceTestOptions>().Hidden);
    }

    [TestMethod]
    public void SavingReplacesTheFileAndLeavesNoTemporaryFiles()
    {
        using var folder = new TrainingTestFolder();
        var path = Path.Combine(folder.Path, "model.zip");
        File.WriteAllText(path, "old content");
        using (var model = NewModel())
        {
            ModelStore.Save(model, path);
            ModelStore.Save(model, path);
        }
        CollectionAssert.AreEqual(new[] { "model.zip" }, Directory.GetFiles(folder.Path).Select(Path.GetFileName).ToArray());
        using var loaded = ModelStore.Load(path, registry: Registry());
        Assert.AreEqual("test-ae", loaded.Kind);
    }

    [TestMethod]
    public void StreamsRoundTrip()
    {
        using var model = NewModel();
        using var ms = new MemoryStream();
        ModelStore.Save(model, ms);
        ms.Position = 0;
        using var loaded = ModelStore.Load(ms, registry: Registry());
        CollectionAssert.AreEqual(model.StateDict()["dec2.weight"].data<float>().ToArray(), loaded.StateDict()["dec2.weight"].data<float>().ToArray());
    }

    [TestMethod]
    public void ModelsWithoutPersistenceAreRejectedOnSave()
    {
        using var folder = new TrainingTestFolder();
        using var model = new NotPersistable(NewModel());
        var ex = Assert.ThrowsExactly<ArgumentException>(() => ModelStore.Save(model, Path.Combine(folder.Path, "m.zip")));
        StringAssert.Contains(ex.Message, nameof(IPersistableModel));
        Assert.AreEqual(0, Directory.GetFiles(folder.Path).Length);
    }

    [TestMethod]
    public void RegistryRejectsAKindOfAnotherFamilyAndListsKinds()
    {
        var r = Registry();
        r.Register(new PersistenceTestFamily()); // the same family again is harmless
        CollectionAssert.AreEqual(new[] { "test-ae" }, r.Kinds.ToArray());
        Assert.ThrowsExactly<ArgumentException>(() => r.Register(new OtherFamily()));
        Assert.IsFalse(r.TryGetFamily("nope", out _));
        Assert.IsNotNull(ModelRegistry.Default.Kinds);
    }

    /// <summary>A model that hides its persistence.</summary>
    private sealed class NotPersistable(PersistenceTestModel inner) : Microsoft.ML.Vae.Core.Models.IVaeModel
    {
        public string Kind => inner.Kind;
        public int LatentDim => inner.LatentDim;
        public long[] SampleShape => inner.SampleShape;
        public Device Device => inner.Device;
        public Microsoft.ML.Vae.Core.Priors.IPrior Prior => inner.Prior;
        public Microsoft.ML.Vae.Core.Models.IObservationModel Observation => inner.Observation;
        public (Tensor Mean, Tensor LogVar) Encode(Tensor x) => inner.Encode(x);
        public Tensor Decode(Tensor z) => inner.Decode(z);
        public void SetTraining(bool training) => inner.SetTraining(training);
        public void Dispose() => inner.Dispose();
    }

    private sealed class OtherFamily : IModelFamily
    {
        public IReadOnlyCollection<string> Kinds { get; } = ["test-ae"];
        public IPersistableModel Create(ModelConfig config, Device device) => throw new NotSupportedException();
    }
}
