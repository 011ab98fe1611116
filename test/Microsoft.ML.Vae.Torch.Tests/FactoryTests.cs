namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Tensor factories, host copies in and out, and dtype/device conversions.</summary>
[TestClass]
public sealed class FactoryTests : TorchTestBase
{
    [TestMethod]
    public void ZerosOnesFull_HaveShapeDTypeAndValue()
    {
        using var scope = Torch.NewDisposeScope();
        var z = Torch.Zeros([2, 3]);
        TensorAssert.Close(new double[6], z, 0, [2, 3]);
        Assert.AreEqual(DType.Float32, z.DType);
        Assert.AreEqual(Device.Cpu, z.Device);

        var o = Torch.Ones([4], DType.Int64);
        Assert.AreEqual(DType.Int64, o.DType);
        TensorAssert.Equal([1, 1, 1, 1], o, [4]);

        var f = Torch.Full([2, 2], 2.5, DType.Float64);
        Assert.AreEqual(DType.Float64, f.DType);
        TensorAssert.Close([2.5, 2.5, 2.5, 2.5], f, 0, [2, 2]);

        TensorAssert.Close([7.0, 7.0], Torch.FullLike(z.Narrow(1, 0, 2).Select(0, 0), 7), 0, [2]);
        TensorAssert.Close(new double[6], Torch.ZerosLike(f.Repeat(1, 3).Narrow(1, 0, 3)), 0, [2, 3]);
        TensorAssert.Close([1, 1], Torch.OnesLike(o.Narrow(0, 0, 2)), 0, [2]);
    }

    [TestMethod]
    public void EmptyShapes_GiveZeroElementsAndScalars()
    {
        using var scope = Torch.NewDisposeScope();
        var empty = Torch.Zeros([0, 3]);
        Assert.AreEqual(0L, empty.NumberOfElements);
        TensorAssert.Shape([0, 3], empty);
        Assert.IsEmpty(empty.ToArray<float>());
        TensorAssert.Shape([0, 3], Torch.Empty([0, 3]));

        var scalar = Torch.Full([], 3, DType.Float64);
        Assert.AreEqual(0, scalar.Dim);
        Assert.AreEqual(1L, scalar.NumberOfElements);
        Assert.AreEqual(3.0, scalar.Item());
        Assert.AreEqual(-2.0, Tensor.Scalar(-2, DType.Float64).Item());
        Assert.AreEqual(DType.Int32, Tensor.Scalar(5, DType.Int32).DType);

        Assert.AreEqual(0.0, empty.Sum().Item());
    }

    [TestMethod]
    public void Randn_HasStandardNormalStatistics()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(7);
        var x = Torch.Randn([100_000], DType.Float64);
        // Standard errors for n = 1e5: mean 0.003, std about 0.002; 5 sigma margins.
        Assert.AreEqual(0.0, x.Mean().Item(), 0.016);
        Assert.AreEqual(1.0, x.Std().Item(), 0.012);
        // Fraction within one standard deviation: 0.6827.
        Assert.AreEqual(0.6827, x.Abs().Lt(1).To(DType.Float64).Mean().Item(), 0.008);
    }

    [TestMethod]
    public void Rand_IsUniformOnUnitInterval()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(8);
        var x = Torch.Rand([100_000], DType.Float64);
        Assert.IsTrue(x.Min().Item() >= 0);
        Assert.IsTrue(x.Max().Item() < 1);
        Assert.AreEqual(0.5, x.Mean().Item(), 0.005);
        Assert.AreEqual(1.0 / 12, x.Var().Item(), 0.002);
        Assert.AreEqual(0.25, x.Lt(0.25).To(DType.Float64).Mean().Item(), 0.007);
    }

    [TestMethod]
    public void ManualSeed_MakesEveryGeneratorDeterministic()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(123);
        var a = (Torch.Randn([50]), Torch.Rand([50]), Torch.RandInt(0, 1000, [50]), Torch.RandPerm(50), Torch.RandnLike(Torch.Zeros([5])));
        Torch.ManualSeed(123);
        var b = (Torch.Randn([50]), Torch.Rand([50]), Torch.RandInt(0, 1000, [50]), Torch.RandPerm(50), Torch.RandnLike(Torch.Zeros([5])));
        CollectionAssert.AreEqual(a.Item1.ToArray<float>(), b.Item1.ToArray<float>());
        CollectionAssert.AreEqual(a.Item2.ToArray<float>(), b.Item2.ToArray<float>());
        CollectionAssert.AreEqual(a.Item3.ToArray<long>(), b.Item3.ToArray<long>());
        CollectionAssert.AreEqual(a.Item4.ToArray<long>(), b.Item4.ToArray<long>());
        CollectionAssert.AreEqual(a.Item5.ToArray<float>(), b.Item5.ToArray<float>());

        Torch.ManualSeed(124);
        CollectionAssert.AreNotEqual(a.Item1.ToArray<float>(), Torch.Randn([50]).ToArray<float>());
    }

    [TestMethod]
    public void RngState_RestoresTheSequence()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(5);
        var state = Torch.GetRngState();
        var first = Torch.Randn([10]).ToArray<float>();
        Torch.SetRngState(state);
        CollectionAssert.AreEqual(first, Torch.Randn([10]).ToArray<float>());
    }

    [TestMethod]
    public void RandInt_StaysInHalfOpenRangeAndCoversIt()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(9);
        var x = Torch.RandInt(-3, 4, [5000]);
        Assert.AreEqual(DType.Int64, x.DType);
        var values = x.ToArray<long>();
        Assert.IsTrue(values.All(v => v >= -3 && v < 4));
        CollectionAssert.AreEquivalent(new long[] { -3, -2, -1, 0, 1, 2, 3 }, values.Distinct().ToArray());
    }

    [TestMethod]
    public void RandPerm_IsAPermutation()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(10);
        var p = Torch.RandPerm(100).ToArray<long>();
        CollectionAssert.AreEqual(Enumerable.Range(0, 100).Select(i => (long)i).ToArray(), p.Order().ToArray());
        CollectionAssert.AreNotEqual(Enumerable.Range(0, 100).Select(i => (long)i).ToArray(), p, "A seeded shuffle of 100 is not the identity.");
    }

    [TestMethod]
    public void Arange_Linspace_Eye()
    {
        using var scope = Torch.NewDisposeScope();
        TensorAssert.Equal([0, 1, 2, 3, 4], Torch.Arange(5), [5]);
        TensorAssert.Close([1.0, 1.5, 2.0, 2.5], Torch.Arange(1, 3, 0.5, DType.Float64), 1e-12, [4]);
        TensorAssert.Equal([5, 3, 1], Torch.Arange(5, 0, -2), [3]);
        TensorAssert.Close([0, 0.25, 0.5, 0.75, 1], Torch.Linspace(0, 1, 5), 1e-7, [5]);
        TensorAssert.Close([2], Torch.Linspace(2, 5, 1), 0, [1]);
        TensorAssert.Close([1, 0, 0, 0, 1, 0, 0, 0, 1], Torch.Eye(3), 0, [3, 3]);
        TensorAssert.Close([1, 0, 0, 0, 1, 0], Torch.Eye(2, 3, DType.Float64), 0, [2, 3]);
        Assert.ThrowsExactly<ArgumentException>(() => Torch.Arange(0, 1, 0));
    }

    [TestMethod]
    public void From_ToArray_RoundTripEveryElementType()
    {
        using var scope = Torch.NewDisposeScope();
        var f = Tensor.From(new float[] { 1.5f, -2f, 3.25f, 0f, 1e-30f, float.MaxValue }, 2, 3);
        Assert.AreEqual(DType.Float32, f.DType);
        TensorAssert.Shape([2, 3], f);
        CollectionAssert.AreEqual(new float[] { 1.5f, -2f, 3.25f, 0f, 1e-30f, float.MaxValue }, f.ToArray<float>());

        var d = Tensor.From(new[] { Math.PI, -Math.E, 1e-300 });
        Assert.AreEqual(DType.Float64, d.DType);
        CollectionAssert.AreEqual(new[] { Math.PI, -Math.E, 1e-300 }, d.ToArray<double>());

        var l = Tensor.From(new[] { long.MinValue, 0L, long.MaxValue }, 3, 1);
        Assert.AreEqual(DType.Int64, l.DType);
        TensorAssert.Shape([3, 1], l);
        CollectionAssert.AreEqual(new[] { long.MinValue, 0L, long.MaxValue }, l.ToArray<long>());

        var b = Tensor.From(new byte[] { 0, 127, 255 });
        Assert.AreEqual(DType.UInt8, b.DType);
        CollectionAssert.AreEqual(new byte[] { 0, 127, 255 }, b.ToArray<byte>());

        var flags = Tensor.From(new[] { true, false, true, true }, 2, 2);
        Assert.AreEqual(DType.Bool, flags.DType);
        CollectionAssert.AreEqual(new[] { true, false, true, true }, flags.ToArray<bool>());

        var i = Tensor.From(new[] { -7, 8 });
        Assert.AreEqual(DType.Int32, i.DType);
        CollectionAssert.AreEqual(new[] { -7, 8 }, i.ToArray<int>());

        // ToArray converts when the element type differs from the dtype.
        CollectionAssert.AreEqual(new[] { 1.5, -2, 3.25, 0, (double)1e-30f, float.MaxValue }, f.ToArray<double>());
        CollectionAssert.AreEqual(new long[] { 1, 0, 1, 1 }, flags.ToArray<long>());

        // Bytes round trip through FromBytes/ToBytes.
        var copy = Tensor.FromBytes(f.ToBytes(), [3, 2], DType.Float32);
        CollectionAssert.AreEqual(f.ToArray<float>(), copy.ToArray<float>());
        TensorAssert.Shape([3, 2], copy);
    }

    [TestMethod]
    public void From_WrongElementCount_Throws()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Tensor.From(new float[] { 1, 2, 3 }, 2, 2));
        Assert.Contains("needs 4 elements but 3 were given", ex.Message);
        Assert.ThrowsExactly<ArgumentException>(() => Tensor.From(new float[] { 1 }, -1));
        Assert.ThrowsExactly<ArgumentException>(() => Tensor.FromBytes(new byte[3], [1], DType.Float32));
    }

    [TestMethod]
    public void CopyTo_RequiresMatchingElementType()
    {
        using var scope = Torch.NewDisposeScope();
        var t = Tensor.From(new float[] { 1, 2 });
        var buffer = new float[2];
        t.CopyTo<float>(buffer);
        CollectionAssert.AreEqual(new float[] { 1, 2 }, buffer);
        Assert.ThrowsExactly<ArgumentException>(() => t.CopyTo<double>(new double[2]));
        Assert.ThrowsExactly<ArgumentException>(() => t.CopyTo<float>(new float[3]));
    }

    [TestMethod]
    public void To_DType_ConvertsValues()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new[] { -1.7, 0.4, 2.6, 300.2 });
        var asLong = x.To(DType.Int64);
        Assert.AreEqual(DType.Int64, asLong.DType);
        TensorAssert.Equal([-1, 0, 2, 300], asLong); // truncation toward zero, like C
        Assert.AreEqual(DType.Float32, x.Float().DType);
        Assert.AreEqual(DType.Float64, x.Float().Double().DType);
        Assert.AreEqual(DType.Int64, x.Long().DType);

        var half = x.To(DType.Float16);
        Assert.AreEqual(DType.Float16, half.DType);
        TensorAssert.Close([-1.7, 0.4, 2.6, 300.2], half, 0.2);
        var bf16 = x.To(DType.BFloat16);
        Assert.AreEqual(DType.BFloat16, bf16.DType);
        TensorAssert.Close([-1.7, 0.4, 2.6, 300.2], bf16, 1.1);

        var flags = x.To(DType.Bool);
        TensorAssert.Equal([true, true, true, true], flags);
        Assert.AreEqual(DType.UInt8, Tensor.From(new long[] { 3, 255 }).To(DType.UInt8).DType);

        // To() copies even for the same dtype: changing the copy leaves the source alone.
        var same = x.To(DType.Float64);
        same.Fill_(0);
        Assert.AreEqual(-1.7, x.ToArray<double>()[0]);
    }

    [TestMethod]
    public void To_Cpu_KeepsValuesAndCopies()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new float[] { 1, 2, 3 });
        var y = x.To(Device.Cpu);
        Assert.AreEqual(Device.Cpu, y.Device);
        CollectionAssert.AreEqual(x.ToArray<float>(), y.ToArray<float>());
        var z = x.To(DType.Float64, Device.Cpu);
        Assert.AreEqual(DType.Float64, z.DType);
        Assert.AreEqual(Device.Cpu, x.Cpu().Device);
        Assert.AreEqual("cpu", x.Device.ToString());
        StringAssert.Contains(x.ToString(), "[3]");
    }

    [TestMethod]
    public void Cuda_WhenUnavailable_IsACleanError()
    {
        if (Device.IsCudaAvailable) Assert.Inconclusive("A GPU is visible; this test covers CPU-only builds.");
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Ones([2]);
        Assert.ThrowsExactly<NotSupportedException>(() => x.To(Device.Cuda()));
        Assert.ThrowsExactly<NotSupportedException>(() => Torch.Zeros([2], DType.Float32, Device.Cuda()));
        Assert.AreEqual(0, Device.CudaDeviceCount);
    }
}
