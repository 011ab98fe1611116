using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// Untrusted model files: suspect weight values, repeated zip entries, damaged histories, non-regular files and
/// configurations that describe more weights than the file holds are refused before anything is built.
/// </summary>
[TestClass]
public sealed class PersistenceHardeningTests : LeakCheckedTest
{
    private static byte[] GoodFile(TrainingHistory? history = null)
    {
        using var model = PersistenceModelStoreTests.NewModel();
        using var ms = new MemoryStream();
        ModelStore.Save(model, ms, history);
        return ms.ToArray();
    }

    private static string Write(TrainingTestFolder folder, byte[] bytes, string name = "hostile.zip")
    {
        var path = Path.Combine(folder.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [TestMethod]
    [DataRow(float.NaN, "NaN")]
    [DataRow(float.PositiveInfinity, "+Inf")]
    [DataRow(float.NegativeInfinity, "-Inf")]
    [DataRow(3e38f, "beyond the limit")]
    public void SuspectWeightsAreRefusedUnlessAllowed(float value, string expected)
    {
        using var folder = new TrainingTestFolder();
        var path = Write(folder, HostileModelFiles.WithWeightValue(GoodFile(), value, index: 1));
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => ModelStore.Load(path, torch.CPU, PersistenceModelStoreTests.Registry()));
        StringAssert.Contains(ex.Message, expected);
        StringAssert.Contains(ex.Message, "at index 1");
        StringAssert.Contains(ex.Message, path);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ModelStore.ReadInfo(path)).Message, expected);

        // Asked for, the file loads and describes itself, counting the bad value.
        var allow = new ModelLoadOptions { AllowNonFiniteWeights = true };
        using (var loaded = ModelStore.Load(path, allow, torch.CPU, PersistenceModelStoreTests.Registry())) Assert.AreEqual("test-ae", loaded.Kind);
        Assert.AreEqual(1, ModelStore.ReadInfo(path, allow).SuspectWeightCount);
    }

    [TestMethod]
    public void LargeButFiniteWeightsLoad()
    {
        using var folder = new TrainingTestFolder();
        var path = Write(folder, HostileModelFiles.WithWeightValue(GoodFile(), 1e29f));
        using var loaded = ModelStore.Load(path, torch.CPU, PersistenceModelStoreTests.Registry());
        Assert.AreEqual(0, ModelStore.ReadInfo(path).SuspectWeightCount);
    }

    [TestMethod]
    [DataRow("config.json")]
    [DataRow("weights.safetensors")]
    [DataRow("history.csv")]
    [DataRow("notes.txt")]
    public void RepeatedEntriesAreRefused(string name)
    {
        using var folder = new TrainingTestFolder();
        var history = new TrainingHistory();
        history.Add(1, new Dictionary<string, double> { ["loss"] = 1 });
        var good = HostileModelFiles.WithEntry(GoodFile(history), "notes.txt", "hello"u8.ToArray());
        var path = Write(folder, HostileModelFiles.WithRepeatedEntry(good, name));
        foreach (var read in new Action[] { () => ModelStore.Load(path, torch.CPU, PersistenceModelStoreTests.Registry()), () => ModelStore.ReadInfo(path), () => ModelStore.ReadHistory(path) })
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(read).Message, $"holds 2 entries named '{name}'");
    }

    [TestMethod]
    public void ReadInfoRefusesDamagedHistories()
    {
        using var folder = new TrainingTestFolder();
        var garbage = Write(folder, HostileModelFiles.WithEntry(GoodFile(), "history.csv", "\u0001\u0002 not a csv at all\n1,2,3"u8.ToArray()), "garbage.zip");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ModelStore.ReadInfo(garbage)).Message, "history.csv is damaged");

        var csv = Encoding.UTF8.GetBytes("step,loss\n1,0.5\n2,0.25\n3,0.125\n");
        var good = HostileModelFiles.WithEntry(GoodFile(), "history.csv", csv);
        Assert.AreEqual(3, ModelStore.ReadInfo(Write(folder, good, "good.zip")).HistoryRowCount);
        var flipped = Write(folder, HostileModelFiles.WithFlippedByte(good, "history.csv"), "crc.zip");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ModelStore.ReadInfo(flipped)).Message, "checksum of history.csv");
    }

    [TestMethod]
    public void FoldersAndPipesAreRefusedWithoutOpening()
    {
        using var folder = new TrainingTestFolder();
        var dir = Path.Combine(folder.Path, "model.zip");
        Directory.CreateDirectory(dir);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ModelStore.Load(dir)).Message, "is a folder, not a file");
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        var fifo = Path.Combine(folder.Path, "fifo.zip");
        Assert.AreEqual(0, UnixFiles.MakeFifo(fifo), "mkfifo failed");
        // .NET reports a FIFO as a Normal file of length 0: that is what the check relies on.
        Assert.AreEqual(FileAttributes.Normal, File.GetAttributes(fifo));
        Assert.AreEqual(0, new FileInfo(fifo).Length);
        var load = Task.Run(() => Assert.ThrowsExactly<InvalidDataException>(() => ModelStore.Load(fifo)).Message);
        Assert.IsTrue(load.Wait(TimeSpan.FromSeconds(10)), "loading a FIFO hung");
        StringAssert.Contains(load.Result, "not a regular file");
        var info = Task.Run(() => Assert.ThrowsExactly<InvalidDataException>(() => ModelStore.ReadInfo(fifo)).Message);
        Assert.IsTrue(info.Wait(TimeSpan.FromSeconds(10)), "describing a FIFO hung");
    }

    [TestMethod]
    public void AnEditedConfigurationIsRefusedBeforeBuilding()
    {
        using var folder = new TrainingTestFolder();
        byte[] good;
        using (var model = new DpVae(new DpVaeOptions { SampleShape = [2], LatentDim = 2, MlpHiddenSizes = [8, 8] }))
        {
            using var ms = new MemoryStream();
            ModelStore.Save(model, ms);
            good = ms.ToArray();
        }
        // Hidden sizes [4000, 4000]: 32 million weights (128 MB) the old loader built before comparing shapes.
        var path = Write(folder, HostileModelFiles.WithConfig(good, c => c["options"]!["mlpHiddenSizes"] = new JsonArray(4000, 4000)));
        long baseline = LiveTensors.Count;
        var watch = Stopwatch.StartNew();
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => ModelStore.Load(path));
        StringAssert.Contains(ex.Message, "at least 32,"); // encoder and decoder
        StringAssert.Contains(ex.Message, "holds 246");
        StringAssert.Contains(ex.Message, "checked before building the model");
        Assert.AreEqual(baseline, LiveTensors.Count);
        Assert.IsTrue(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }
}

/// <summary>
/// The families' size bounds (checked against the weights' header before a model is built) never exceed the real
/// number of weights, so no valid file is refused, and stay close enough to it to catch an inflated configuration.
/// </summary>
[TestClass]
public sealed class ArchitectureSizeBoundTests
{
    public static IEnumerable<object[]> Architectures()
    {
        yield return ["dp mlp", new DpVaeOptions { SampleShape = [2], LatentDim = 2, MlpHiddenSizes = [16, 8] }];
        yield return ["dp conv", new DpVaeOptions { LatentDim = 10 }];
        yield return ["factor conv + flow", new DpVaeOptions { Regularizer = Objectives.Regularizer.Factor, LatentDim = 10, DecoupledPrior = true }];
        yield return ["dp mlp images + flow", new DpVaeOptions { SampleShape = [1, 4, 4], Network = Networks.NetworkKind.Mlp, LatentDim = 3, DecoupledPrior = true, FlowBlocks = 2, FlowHidden = 5 }];
        yield return ["soft-intro toy", SoftIntroPresets.Toy("8gaussians")];
        yield return ["soft-intro toy vamp", SoftIntroPresets.ToyLearnedPrior("8gaussians")];
        yield return ["soft-intro resnet mog", new SoftIntroOptions { SampleShape = [1, 28, 28], LatentDim = 8, PriorKind = SoftIntroPriorKind.Mixture, Components = 5 }];
        yield return ["soft-intro resnet vamp", new SoftIntroOptions { SampleShape = [3, 16, 16], LatentDim = 4, ResNetChannels = [4, 8], PriorKind = SoftIntroPriorKind.Vamp, Components = 3 }];
        yield return ["gamix", new GamixOptions { SampleShape = [3, 16, 16], LatentDim = 16, Filters = 8, Stages = 2, PatchGan = false }];
        yield return ["gamix-baseline", new GamixOptions { Baseline = true, PatchGan = false, SampleShape = [1, 8, 8], LatentDim = 8, Filters = 4, Stages = 1, CodeChannels = 3 }];
    }

    [TestMethod]
    [DynamicData(nameof(Architectures))]
    public void TheSizeBoundNeverExceedsTheRealCount(string name, object options)
    {
        using IPersistableModel model = options switch
        {
            DpVaeOptions o => new DpVae(o),
            SoftIntroOptions o => new SoftIntroVae(o),
            GamixOptions o => new GamixVae(o),
            _ => throw new ArgumentException(name),
        };
        long real = model.StateDict().Values.Sum(t => t.numel());
        using var ms = new MemoryStream();
        ModelStore.Save(model, ms);
        var config = ModelStore.ParseConfig(HostileModelFiles.ReadEntries(ms.ToArray()).First(e => e.Name == "config.json").Bytes);
        Assert.IsTrue(ModelRegistry.Default.TryGetFamily(config.Kind, out var family));
        long bound = family.MinimumWeightCount(config) ?? -1;
        Assert.IsTrue(bound > 0 && bound <= real, $"{name}: bound {bound:N0}, real {real:N0}");
        // The bound covers the layers the options size: at least a fifth of every architecture here.
        Assert.IsTrue(bound * 5 >= real, $"{name}: bound {bound:N0} is too loose for {real:N0}");
        if (name == "dp mlp") Assert.AreEqual(real, bound, "MLP layers are counted exactly");
    }
}

/// <summary>Special Unix files for tests.</summary>
internal static partial class UnixFiles
{
    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MkFifo(string path, uint mode);

    /// <summary>Creates a FIFO (mode 0600); 0 on success.</summary>
    public static int MakeFifo(string path) => MkFifo(path, 0x180);
}

/// <summary>The value scan finds every suspect value in every floating-point dtype, inside and after whole SIMD vectors.</summary>
[TestClass]
public sealed class WeightValueScanTests
{
    private static Persistence.SafeTensors.SafeTensorsFile File(ScalarType dtype, int length, Func<int, double> value)
    {
        byte[] data = dtype switch
        {
            ScalarType.Float32 => MemoryMarshal.AsBytes(Enumerable.Range(0, length).Select(i => (float)value(i)).ToArray().AsSpan()).ToArray(),
            ScalarType.Float64 => MemoryMarshal.AsBytes(Enumerable.Range(0, length).Select(value).ToArray().AsSpan()).ToArray(),
            ScalarType.Float16 => MemoryMarshal.AsBytes(Enumerable.Range(0, length).Select(i => (Half)value(i)).ToArray().AsSpan()).ToArray(),
            // bfloat16: the upper half of the float32.
            _ => MemoryMarshal.AsBytes(Enumerable.Range(0, length).Select(i => (ushort)(BitConverter.SingleToInt32Bits((float)value(i)) >> 16)).ToArray().AsSpan()).ToArray(),
        };
        var bytes = Persistence.SafeTensors.SafeTensorsFormat.Serialize([new Persistence.SafeTensors.SafeTensorEntry("w", dtype, [length], data)]);
        return Persistence.SafeTensors.SafeTensorsFormat.Read(bytes);
    }

    [TestMethod]
    [DataRow(ScalarType.Float32)]
    [DataRow(ScalarType.Float64)]
    public void EverySuspectValueIsCountedAndTheFirstIsNamed(ScalarType dtype)
    {
        var file = File(dtype, 1003, i => i switch { 37 => double.NaN, 500 => 2e30, 1002 => double.NegativeInfinity, _ => Math.Sin(i) * 1e29 });
        var (count, first) = WeightValueScan.Scan(file);
        Assert.AreEqual(3, count);
        Assert.AreEqual("weight 'w' holds NaN at index 37", first);
        Assert.AreEqual(0, WeightValueScan.Scan(File(dtype, 1003, i => Math.Cos(i))).Count);
        var (tail, tailFirst) = WeightValueScan.Scan(File(dtype, 1003, i => i == 1002 ? double.PositiveInfinity : 0));
        Assert.AreEqual(1, tail);
        Assert.AreEqual("weight 'w' holds +Inf at index 1002", tailFirst);
    }

    [TestMethod]
    [DataRow(ScalarType.Float16)]
    [DataRow(ScalarType.BFloat16)]
    public void HalfPrecisionValuesAreScannedToo(ScalarType dtype)
    {
        var (count, first) = WeightValueScan.Scan(File(dtype, 40, i => i is 3 or 30 ? double.PositiveInfinity : 0.5));
        Assert.AreEqual(2, count);
        Assert.AreEqual("weight 'w' holds +Inf at index 3", first);
    }
}
