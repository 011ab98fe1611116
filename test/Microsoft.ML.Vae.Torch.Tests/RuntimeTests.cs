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

    [TestMethod]
    public void RetainFreedMemory_AppliesOnGlibcAndRejectsNegativeThresholds()
    {
        // The test host runs on glibc Linux; elsewhere the call reports that nothing changed.
        bool glibc = OperatingSystem.IsLinux() && File.Exists("/lib/x86_64-linux-gnu/libc.so.6") || File.Exists("/lib/aarch64-linux-gnu/libc.so.6");
        Assert.AreEqual(glibc, Torch.RetainFreedMemory());
        Assert.ThrowsExactly<ArgumentException>(() => Torch.RetainFreedMemory(-1));
        using var scope = Torch.NewDisposeScope();
        Assert.AreEqual(1 << 20, Torch.Ones([1 << 20]).Sum().Item(), 0, "Allocation still works afterwards.");
    }
}
