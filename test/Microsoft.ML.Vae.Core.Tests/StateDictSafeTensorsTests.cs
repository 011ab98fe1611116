using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Persistence.SafeTensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>Module state dicts through safetensors (StateDictIO): every dtype, exact values, identical outputs after loading.</summary>
[TestClass]
public sealed class StateDictSafeTensorsTests : LeakCheckedTest
{
    private static readonly ScalarType[] AllDTypes =
    [
        ScalarType.Byte, ScalarType.Int8, ScalarType.Int16, ScalarType.Int32, ScalarType.Int64,
        ScalarType.Float16, ScalarType.Float32, ScalarType.Float64, ScalarType.Bool, ScalarType.BFloat16,
    ];

    private Sequential NewNet(long seed)
    {
        torch.manual_seed(seed);
        // TorchSharp 0.107's Conv2d leaves one tensor to the garbage collector when it initializes its
        // parameters (the view tensor[0, 0] in nn.init.CalculateFanInAndFanOut, outside this library).
        ExpectStrayTensors(1);
        return nn.Sequential(nn.Conv2d(1, 4, 3, padding: 1), nn.BatchNorm2d(4), nn.ReLU(), nn.Flatten(), nn.Linear(64, 3));
    }

    private static void DisposeAll(Dictionary<string, Tensor> tensors)
    {
        foreach (var t in tensors.Values) t.Dispose();
    }

    [TestMethod]
    public void EveryDType_RoundTripsBitExactly()
    {
        using var scope = torch.NewDisposeScope();
        var source = torch.tensor(new double[] { -3.5, -1, 0, 0.25, 1, 2, 100, 255 }, new long[] { 2, 4 });
        var state = AllDTypes.ToDictionary(d => $"t.{d}", d => source.to(d));
        state["scalar"] = torch.tensor(1.5, ScalarType.Float64);
        state["empty"] = torch.zeros([0, 3], ScalarType.Int32);

        var bytes = StateDictIO.Serialize(state);
        Dictionary<string, Tensor> loaded;
        IReadOnlyDictionary<string, string> metadata;
        // Loaded tensors belong to the caller: closing a scope around the load leaves them alive.
        using (var inner = torch.NewDisposeScope()) loaded = StateDictIO.Deserialize(bytes, out metadata);
        try
        {
            Assert.IsEmpty(metadata);
            CollectionAssert.AreEquivalent(state.Keys.ToArray(), loaded.Keys.ToArray());
            foreach (var (name, original) in state)
            {
                var copy = loaded[name];
                Assert.AreEqual(original.dtype, copy.dtype, name);
                CollectionAssert.AreEqual(original.shape, copy.shape, name);
                CollectionAssert.AreEqual(TensorData.ToBytes(original), TensorData.ToBytes(copy), name);
                Assert.IsFalse(copy.IsInvalid, name);
            }
            // The reduced-precision copies hold the rounded values, e.g. bfloat16 keeps 8 bits of mantissa.
            double[] expected = [-3.5, -1, 0, 0.25, 1, 2, 100, 255];
            CollectionAssert.AreEqual(expected, loaded["t.BFloat16"].to(ScalarType.Float64).data<double>().ToArray());
            CollectionAssert.AreEqual(expected, loaded["t.Float16"].to(ScalarType.Float64).data<double>().ToArray());
            CollectionAssert.AreEqual(new long[] { 1, 1, 0, 1, 1, 1, 1, 1 }, loaded["t.Bool"].to(ScalarType.Int64).data<long>().ToArray());
            CollectionAssert.AreEqual(new long[] { 0, 1, 2, 100, 255 }, loaded["t.Byte"].flatten().narrow(0, 3, 5).to(ScalarType.Int64).data<long>().ToArray());
        }
        finally { DisposeAll(loaded); }
    }

    [TestMethod]
    public void ModuleState_ReproducesIdenticalOutputs()
    {
        using var trained = NewNet(1);
        using var fresh = NewNet(2);
        using (var scope = torch.NewDisposeScope())
        {
            // One training-mode pass moves the batch-norm statistics away from their defaults.
            trained.forward(torch.randn(6, 1, 4, 4) * 3 + 1);
        }
        var bytes = StateDictIO.Serialize(trained.state_dict(), new Dictionary<string, string> { ["epoch"] = "7" });
        StateDictIO.LoadInto(fresh, bytes);

        using var s = torch.NewDisposeScope();
        var x = torch.randn(5, 1, 4, 4);
        trained.eval();
        fresh.eval();
        var expected = trained.forward(x);
        var actual = fresh.forward(x);
        CollectionAssert.AreEqual(expected.data<float>().ToArray(), actual.data<float>().ToArray(), "Bit-identical outputs.");
        CollectionAssert.AreEqual(((BatchNorm2d)trained[1]).running_var!.data<float>().ToArray(), ((BatchNorm2d)fresh[1]).running_var!.data<float>().ToArray());
        Assert.AreEqual(1L, ((BatchNorm2d)fresh[1]).num_batches_tracked!.item<long>());

        var reloaded = StateDictIO.Deserialize(bytes, out var metadata);
        try { Assert.AreEqual("7", metadata["epoch"]); }
        finally { DisposeAll(reloaded); }
    }

    [TestMethod]
    [DataRow(ScalarType.BFloat16), DataRow(ScalarType.Float16), DataRow(ScalarType.Float64)]
    public void ConvertedModule_RoundTripsInItsDType(ScalarType dtype)
    {
        using var source = NewNet(3);
        using var target = NewNet(4);
        source.to(dtype);
        target.to(dtype);
        var bytes = StateDictIO.Serialize(source.state_dict());
        var loaded = StateDictIO.Deserialize(bytes, out _);
        try
        {
            Assert.AreEqual(dtype, loaded["4.weight"].dtype);
            Assert.AreEqual(ScalarType.Int64, loaded["1.num_batches_tracked"].dtype);
            StateDictIO.LoadInto(target, loaded);
        }
        finally { DisposeAll(loaded); }
        var targetState = target.state_dict();
        foreach (var (name, tensor) in source.state_dict())
            CollectionAssert.AreEqual(TensorData.ToBytes(tensor), TensorData.ToBytes(targetState[name]), name);

        // A float32 module accepts the reduced-precision state, converting on load.
        using var wide = NewNet(5);
        StateDictIO.LoadInto(wide, bytes);
        using var scope = torch.NewDisposeScope();
        Assert.AreEqual(ScalarType.Float32, wide[4] is Linear l ? l.weight!.dtype : ScalarType.Bool);
        CollectionAssert.AreEqual(((Linear)source[4]).weight!.to(ScalarType.Float32).data<float>().ToArray(), ((Linear)wide[4]).weight!.data<float>().ToArray());
    }

    [TestMethod]
    public void StreamSaveAndLoad_RoundTrip()
    {
        using var net = NewNet(6);
        using var stream = new MemoryStream();
        StateDictIO.Save(stream, net.state_dict());
        stream.Position = 0;
        var loaded = StateDictIO.Load(stream, out _);
        try
        {
            foreach (var (name, tensor) in net.state_dict())
                CollectionAssert.AreEqual(TensorData.ToBytes(tensor), TensorData.ToBytes(loaded[name]), name);
        }
        finally { DisposeAll(loaded); }
        stream.Position = 0;
        Assert.ThrowsExactly<InvalidDataException>(() => StateDictIO.Load(stream, out _, maxLength: 16));
    }

    [TestMethod]
    public void LoadInto_WrongModule_IsAClearError_AndLeaksNothing()
    {
        using var net = NewNet(7);
        using var other = nn.Sequential(nn.Linear(2, 2));
        var bytes = StateDictIO.Serialize(other.state_dict());
        var ex = Assert.ThrowsExactly<ArgumentException>(() => StateDictIO.LoadInto(net, bytes));
        Assert.Contains("missing", ex.Message);
        Assert.ThrowsExactly<InvalidDataException>(() => StateDictIO.LoadInto(net, [1, 2, 3]));
    }
    [TestMethod]
    public void LoadInto_ChecksTheHeaderBeforeMakingTensors()
    {
        using var net = NewNet(8);
        var good = net.state_dict();
        byte[] Edit(Action<Dictionary<string, Tensor>> edit)
        {
            using var scope = torch.NewDisposeScope();
            var state = new Dictionary<string, Tensor>(good);
            edit(state);
            return StateDictIO.Serialize(state);
        }
        var wrongShape = Edit(s => s["4.weight"] = torch.zeros(3, 65));
        var wrongKind = Edit(s => s["1.num_batches_tracked"] = torch.zeros(Array.Empty<long>()));
        var extra = Edit(s => s["extra"] = torch.ones(2));
        var original = TensorData.ToBytes(((Linear)net[4]).weight!);

        long live = LiveTensors.Count;
        var shape = Assert.ThrowsExactly<ArgumentException>(() => StateDictIO.LoadInto(net, wrongShape));
        Assert.AreEqual("Shape mismatch for '4.weight': the module has [3, 64], the state has [3, 65].", shape.Message);
        var kind = Assert.ThrowsExactly<ArgumentException>(() => StateDictIO.LoadInto(net, wrongKind));
        Assert.AreEqual("Dtype mismatch for '1.num_batches_tracked': the module has Int64, the state has Float32.", kind.Message);
        var unexpected = Assert.ThrowsExactly<ArgumentException>(() => StateDictIO.LoadInto(net, extra));
        Assert.AreEqual("State does not match the module: missing [], unexpected [extra].", unexpected.Message);
        Assert.AreEqual(live, LiveTensors.Count, "no tensor was made for a file that does not fit");
        CollectionAssert.AreEqual(original, TensorData.ToBytes(((Linear)net[4]).weight!), "nothing was copied");

        // Not strict: the unexpected tensor is ignored (and never made), the rest loads.
        StateDictIO.LoadInto(net, extra, strict: false);
        Assert.AreEqual(live, LiveTensors.Count);
    }
}
