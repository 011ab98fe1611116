namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Runtime facts and settings of the loaded libtorch.</summary>
[TestClass]
public sealed class RuntimeTests : TorchTestBase
{
    [TestMethod]
    public void VersionAndConfiguration_AreReported()
    {
        StringAssert.Matches(Torch.Version, new System.Text.RegularExpressions.Regex(@"^\d+\.\d+"));
        Assert.Contains("BLAS", Torch.Configuration);
        _ = Torch.HasMkldnn; // either answer is valid; the call must not fail
    }

    [TestMethod]
    public void Threads_CanBeChangedAndRestored()
    {
        int original = Torch.Threads;
        Assert.IsTrue(original >= 1);
        try
        {
            Torch.Threads = 1;
            Assert.AreEqual(1, Torch.Threads);
        }
        finally
        {
            Torch.Threads = original;
        }
        Assert.AreEqual(original, Torch.Threads);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Torch.Threads = 0);
    }

    [TestMethod]
    public void LiveCounts_TrackManagedAndNativeHandles()
    {
        long managed = Tensor.LiveCount, native = Torch.NativeLiveTensors;
        var t = Torch.Zeros([1]);
        var alias = t.Alias();
        Assert.AreEqual(managed + 2, Tensor.LiveCount);
        Assert.AreEqual(native + 2, Torch.NativeLiveTensors);
        Assert.IsTrue(Tensor.PeakCount >= Tensor.LiveCount);
        t.Dispose();
        // The alias keeps the data alive after the first handle is gone.
        Assert.AreEqual(0.0, alias.Item());
        alias.Dispose();
        Assert.AreEqual(managed, Tensor.LiveCount);
        Assert.AreEqual(native, Torch.NativeLiveTensors);
    }

    [TestMethod]
    public void Device_ParsesAndPrints()
    {
        Assert.AreEqual(Device.Cpu, Device.Parse(" CPU "));
        Assert.AreEqual(Device.Cuda(1), Device.Parse("cuda:1"));
        Assert.AreEqual(Device.Cuda(0), Device.Parse("cuda"));
        Assert.AreEqual("cuda:1", Device.Cuda(1).ToString());
        Assert.ThrowsExactly<ArgumentException>(() => Device.Parse("tpu"));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Device.Cuda(-1));
        Assert.AreEqual(4, DType.Float32.ElementSize());
        Assert.IsTrue(DType.BFloat16.IsFloatingPoint());
        Assert.IsFalse(DType.Int64.IsFloatingPoint());
    }
}
