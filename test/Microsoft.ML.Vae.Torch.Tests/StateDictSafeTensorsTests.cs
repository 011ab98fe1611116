using Microsoft.ML.Vae.Torch.NN;
using Microsoft.ML.Vae.Torch.Serialization;

namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Module state dicts through safetensors (StateDictIO): every dtype, exact values, identical outputs after loading.</summary>
[TestClass]
public sealed class StateDictSafeTensorsTests : TorchTestBase
{
    private static readonly DType[] AllDTypes =
    [
        DType.UInt8, DType.Int8, DType.Int16, DType.Int32, DType.Int64,
        DType.Float16, DType.Float32, DType.Float64, DType.Bool, DType.BFloat16,
    ];

    private static Sequential NewNet(long seed)
    {
        Torch.ManualSeed(seed);
        return new Sequential(new Conv2d(1, 4, 3, padding: 1), new BatchNorm2d(4), new ReLU(), new Flatten(), new Linear(64, 3));
    }

    private static void DisposeAll(Dictionary<string, Tensor> tensors)
    {
        foreach (var t in tensors.Values) t.Dispose();
    }

    [TestMethod]
    public void EveryDType_RoundTripsBitExactly()
    {
        using var scope = Torch.NewDisposeScope();
        var source = Tensor.From(new double[] { -3.5, -1, 0, 0.25, 1, 2, 100, 255 }, 2, 4);
        var state = AllDTypes.ToDictionary(d => $"t.{d}", d => source.To(d));
        state["scalar"] = Tensor.Scalar(1.5, DType.Float64);
        state["empty"] = Torch.Zeros([0, 3], DType.Int32);

        var bytes = StateDictIO.Serialize(state);
        Dictionary<string, Tensor> loaded;
        IReadOnlyDictionary<string, string> metadata;
        // Loaded tensors belong to the caller: closing a scope around the load leaves them alive.
        using (var inner = Torch.NewDisposeScope()) loaded = StateDictIO.Deserialize(bytes, out metadata);
        try
        {
            Assert.IsEmpty(metadata);
            CollectionAssert.AreEquivalent(state.Keys.ToArray(), loaded.Keys.ToArray());
            foreach (var (name, original) in state)
            {
                var copy = loaded[name];
                Assert.AreEqual(original.DType, copy.DType, name);
                CollectionAssert.AreEqual(original.Shape, copy.Shape, name);
                CollectionAssert.AreEqual(original.ToBytes(), copy.ToBytes(), name);
                Assert.IsFalse(copy.IsDisposed, name);
            }
            // The reduced-precision copies hold the rounded values, e.g. bfloat16 keeps 8 bits of mantissa.
            TensorAssert.Close([-3.5, -1, 0, 0.25, 1, 2, 100, 255], loaded["t.BFloat16"], 0);
            TensorAssert.Close([-3.5, -1, 0, 0.25, 1, 2, 100, 255], loaded["t.Float16"], 0);
            TensorAssert.Equal([1, 1, 0, 1, 1, 1, 1, 1], loaded["t.Bool"].To(DType.Int64));
            TensorAssert.Equal([0, 1, 2, 100, 255], loaded["t.UInt8"].Flatten().Narrow(0, 3, 5).To(DType.Int64));
        }
        finally { DisposeAll(loaded); }
    }

    [TestMethod]
    public void ModuleState_ReproducesIdenticalOutputs()
    {
        using var trained = NewNet(1);
        using var fresh = NewNet(2);
        using (var scope = Torch.NewDisposeScope())
        {
            // One training-mode pass moves the batch-norm statistics away from their defaults.
            trained.Forward(Torch.Randn([6, 1, 4, 4]) * 3 + 1);
        }
        var bytes = StateDictIO.Serialize(trained.StateDict(), new Dictionary<string, string> { ["epoch"] = "7" });
        StateDictIO.LoadInto(fresh, bytes);

        using var s = Torch.NewDisposeScope();
        var x = Torch.Randn([5, 1, 4, 4]);
        trained.Eval();
        fresh.Eval();
        var expected = trained.Forward(x);
        var actual = fresh.Forward(x);
        CollectionAssert.AreEqual(expected.ToArray<float>(), actual.ToArray<float>(), "Bit-identical outputs.");
        CollectionAssert.AreEqual(((BatchNorm2d)trained[1]).RunningVar.ToArray<float>(), ((BatchNorm2d)fresh[1]).RunningVar.ToArray<float>());
        Assert.AreEqual(1L, ((BatchNorm2d)fresh[1]).NumBatchesTracked.ItemLong());

        var reloaded = StateDictIO.Deserialize(bytes, out var metadata);
        try { Assert.AreEqual("7", metadata["epoch"]); }
        finally { DisposeAll(reloaded); }
    }

    [TestMethod]
    [DataRow(DType.BFloat16), DataRow(DType.Float16), DataRow(DType.Float64)]
    public void ConvertedModule_RoundTripsInItsDType(DType dtype)
    {
        using var source = NewNet(3);
        using var target = NewNet(4);
        source.To(dtype);
        target.To(dtype);
        var bytes = StateDictIO.Serialize(source.StateDict());
        var loaded = StateDictIO.Deserialize(bytes, out _);
        try
        {
            Assert.AreEqual(dtype, loaded["4.weight"].DType);
            Assert.AreEqual(DType.Int64, loaded["1.num_batches_tracked"].DType);
            target.LoadStateDict(loaded);
        }
        finally { DisposeAll(loaded); }
        foreach (var (name, tensor) in source.StateDict())
            CollectionAssert.AreEqual(tensor.ToBytes(), target.StateDict()[name].ToBytes(), name);

        // A float32 module accepts the reduced-precision state, converting on load.
        using var wide = NewNet(5);
        StateDictIO.LoadInto(wide, bytes);
        using var scope = Torch.NewDisposeScope();
        Assert.AreEqual(DType.Float32, wide[4] is Linear l ? l.Weight.DType : DType.Bool);
        TensorAssert.Close(((Linear)source[4]).Weight.To(DType.Float32), ((Linear)wide[4]).Weight, 0);
    }

    [TestMethod]
    public void StreamSaveAndLoad_RoundTrip()
    {
        using var net = NewNet(6);
        using var stream = new MemoryStream();
        StateDictIO.Save(stream, net.StateDict());
        stream.Position = 0;
        var loaded = StateDictIO.Load(stream, out _);
        try
        {
            foreach (var (name, tensor) in net.StateDict())
                CollectionAssert.AreEqual(tensor.ToBytes(), loaded[name].ToBytes(), name);
        }
        finally { DisposeAll(loaded); }
        stream.Position = 0;
        Assert.ThrowsExactly<InvalidDataException>(() => StateDictIO.Load(stream, out _, maxLength: 16));
    }

    [TestMethod]
    public void LoadInto_WrongModule_IsAClearError_AndLeaksNothing()
    {
        using var net = NewNet(7);
        using var other = new Sequential(new Linear(2, 2));
        var bytes = StateDictIO.Serialize(other.StateDict());
        var ex = Assert.ThrowsExactly<ArgumentException>(() => StateDictIO.LoadInto(net, bytes));
        Assert.Contains("missing", ex.Message);
        Assert.ThrowsExactly<InvalidDataException>(() => StateDictIO.LoadInto(net, [1, 2, 3]));
    }
}
