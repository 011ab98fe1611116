using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// The engine under the library: TorchSharp with libtorch 2.10 loads (through the libstdc++ path the build
/// chose), and the Core helpers over it (devices, tensor checks, raw bytes, runtime settings) behave.
/// </summary>
[TestClass]
public sealed class EngineTests : LeakCheckedTest
{
    private const string IosBaseLibraryInit = "_ZSt21ios_base_library_initv";
    private const string GlibcxxVersion = "GLIBCXX_3.4.32";

    // ------------------------------------------------------------------ (a) the engine loads

    [TestMethod]
    public void TorchSharpLoadsLibTorch210()
    {
        StringAssert.StartsWith(TorchRuntime.Version, "2.10", "the loaded libtorch");
        StringAssert.StartsWith(torch.__version__, "2.10", "the libtorch TorchSharp was built for");
        Assert.Contains("BLAS", TorchRuntime.Configuration);
        using (var scope = torch.NewDisposeScope())
        {
            var x = torch.arange(6, ScalarType.Float32).reshape(2, 3);
            CollectionAssert.AreEqual(new float[] { 5, 14, 14, 50 }, x.matmul(x.t()).data<float>().ToArray());
        }
        Console.WriteLine($"libtorch {TorchRuntime.Version} through TorchSharp {typeof(torch).Assembly.GetName().Version}");
    }

    [TestMethod]
    public void LibStdCxxPathMatchesTheBuild()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
            Assert.Inconclusive("The libstdc++ compatibility step applies to Linux x64 only.");
        string marker = Path.Combine(AppContext.BaseDirectory, "glibcxx-compat.txt");
        if (!File.Exists(marker))
            Assert.Inconclusive($"{marker} is missing: the build ran with -p:VaeGlibcxxCompat=off or without eng/backend.targets.");
        string path = File.ReadAllText(marker).Trim();
        string library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.IsTrue(File.Exists(library), $"{library} is missing.");
        var state = NativeLibraryState(File.ReadAllBytes(library));

        // The loaded engine is the library just examined (a failed load would have fallen back elsewhere).
        using (var t = torch.ones(1)) Assert.AreEqual(1.0, t.ItemAsDouble());
        var mapped = File.ReadLines("/proc/self/maps").Where(l => l.EndsWith("/libLibTorchSharp.so", StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf('/'))..]).Distinct().ToList();
        CollectionAssert.AreEqual(new[] { library }, mapped, "TorchSharp's native library was loaded from the output folder");

        string? system = new[] { "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6" }.FirstOrDefault(File.Exists);
        switch (path)
        {
            case "needed":
                Assert.AreEqual("patched", state, $"the build said the patch was needed, so {library} must be patched");
                if (system is not null) Assert.IsFalse(HasVersion(File.ReadAllBytes(system)), $"{system} lacks {GlibcxxVersion}");
                Console.WriteLine($"libstdc++ path: needed ({system} lacks {GlibcxxVersion}); {library} is patched and loaded.");
                break;
            case "not-needed":
                Assert.AreEqual("stock", state, $"the build said no patch was needed, so {library} must be TorchSharp's own");
                if (system is not null) Assert.IsTrue(HasVersion(File.ReadAllBytes(system)), $"{system} has {GlibcxxVersion}");
                Console.WriteLine($"libstdc++ path: not-needed ({system} has {GlibcxxVersion}); {library} is stock and loaded.");
                break;
            default:
                Assert.Fail($"{marker} says '{path}'; expected 'needed' or 'not-needed'.");
                break;
        }
    }

    private static bool HasVersion(byte[] libstdcxx) =>
        libstdcxx.AsSpan().IndexOf(Encoding.ASCII.GetBytes("\0" + GlibcxxVersion + "\0")) >= 0;

    /// <summary>
    /// "stock" when libLibTorchSharp.so references std::ios_base_library_init() and requires GLIBCXX_3.4.32
    /// (as shipped), "patched" when the reference is gone and the requirement is absent or weak (what
    /// eng/glibcxx_compat.py leaves), "other" otherwise. Reads the ELF dynamic symbol and version tables.
    /// </summary>
    private static string NativeLibraryState(byte[] elf)
    {
        Assert.IsTrue(elf.Length > 64 && elf[0] == 0x7F && elf[1] == 'E' && elf[2] == 'L' && elf[3] == 'F' && elf[4] == 2 && elf[5] == 1,
            "a 64-bit little-endian ELF file");
        long U64(long at) => BinaryPrimitives.ReadInt64LittleEndian(elf.AsSpan(checked((int)at)));
        uint U32(long at) => BinaryPrimitives.ReadUInt32LittleEndian(elf.AsSpan(checked((int)at)));
        ushort U16(long at) => BinaryPrimitives.ReadUInt16LittleEndian(elf.AsSpan(checked((int)at)));
        string CString(long at)
        {
            int end = Array.IndexOf(elf, (byte)0, checked((int)at));
            return Encoding.ASCII.GetString(elf, (int)at, end - (int)at);
        }
        long shoff = U64(0x28);
        int shnum = U16(0x3C), shstrndx = U16(0x3E);
        (long Offset, long Size) Section(int i) => (U64(shoff + i * 64 + 0x18), U64(shoff + i * 64 + 0x20));
        long names = Section(shstrndx).Offset;
        var sections = Enumerable.Range(0, shnum).ToDictionary(i => CString(names + U32(shoff + i * 64)), Section);
        var dynsym = sections[".dynsym"];
        long dynstr = sections[".dynstr"].Offset;
        bool referenced = false;
        for (long sym = dynsym.Offset; sym < dynsym.Offset + dynsym.Size; sym += 24)
        {
            // An undefined symbol (section index 0) is a reference to another library.
            if (U16(sym + 6) == 0 && CString(dynstr + U32(sym)) == IosBaseLibraryInit) referenced = true;
        }
        // Version requirements: Verneed entries, each with a chain of Vernaux entries (flags at +4, name at +8).
        bool? weak = null;
        if (sections.TryGetValue(".gnu.version_r", out var verneed))
        {
            long entry = verneed.Offset;
            while (true)
            {
                int count = U16(entry + 2);
                long aux = entry + U32(entry + 8);
                for (int k = 0; k < count; k++)
                {
                    if (CString(dynstr + U32(aux + 8)) == GlibcxxVersion) weak = (U16(aux + 4) & 0x2) != 0;
                    uint nextAux = U32(aux + 12);
                    if (nextAux == 0) break;
                    aux += nextAux;
                }
                uint next = U32(entry + 12);
                if (next == 0) break;
                entry += next;
            }
        }
        if (referenced && weak == false) return "stock";
        if (!referenced && weak != false) return "patched";
        return "other";
    }

    // ------------------------------------------------------------------ (c) the Core helpers

    [TestMethod]
    public void DevicesParseCompareAndDescribe()
    {
        var cpu = Devices.Parse(" CPU ");
        Assert.AreEqual(DeviceType.CPU, cpu.type);
        var cuda1 = Devices.Parse("cuda:1");
        Assert.AreEqual(DeviceType.CUDA, cuda1.type);
        Assert.AreEqual(1, cuda1.index);
        Assert.AreEqual(0, Devices.Parse("cuda").index);
        Assert.AreEqual(0, Devices.Parse("GPU").index);
        Assert.AreEqual("cuda:1", Devices.Describe(cuda1));
        Assert.AreEqual("cuda:0", Devices.Describe(new Device(DeviceType.CUDA)));
        Assert.AreEqual("cpu", Devices.Describe(torch.CPU));
        foreach (var bad in new[] { "tpu", "", "cuda:", "cuda:-1", "cuda:x", "cuda:1:2", "cpu:0" })
        {
            var ex = Assert.ThrowsExactly<ArgumentException>(() => Devices.Parse(bad), bad);
            StringAssert.Contains(ex.Message, $"Unknown device '{bad}'. Use cpu, cuda or cuda:N.");
        }
        Assert.ThrowsExactly<ArgumentNullException>(() => Devices.Parse(null!));

        Assert.IsTrue(Devices.Same(torch.CPU, cpu));
        Assert.IsTrue(Devices.Same(new Device(DeviceType.CPU, 0), torch.CPU), "the CPU index does not matter");
        Assert.IsTrue(Devices.Same(new Device(DeviceType.CUDA), Devices.Parse("cuda:0")), "unspecified CUDA index is device 0");
        Assert.IsFalse(Devices.Same(cuda1, Devices.Parse("cuda:0")));
        Assert.IsFalse(Devices.Same(torch.CPU, Devices.Parse("cuda")));
        using (var t = torch.zeros(2)) Assert.IsTrue(Devices.Same(t.device, torch.CPU));

        Assert.AreSame(cpu, Devices.EnsureAvailable(cpu));
        if (torch.cuda.is_available())
        {
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Devices.EnsureAvailable(new Device(DeviceType.CUDA, torch.cuda.device_count())));
        }
        else
        {
            var ex = Assert.ThrowsExactly<NotSupportedException>(() => Devices.EnsureAvailable(cuda1));
            StringAssert.Contains(ex.Message, "CUDA was requested");
        }
    }

    [TestMethod]
    public void TensorChecksReadAnyDType()
    {
        using var scope = torch.NewDisposeScope();
        Assert.IsTrue(torch.tensor(new[] { 1f, -2f, 3e38f }).AllFinite());
        Assert.IsFalse(torch.tensor(new[] { 1f, float.NaN }).AllFinite());
        Assert.IsFalse(torch.tensor(new[] { 1.0, double.NegativeInfinity }).AllFinite());
        Assert.IsFalse(torch.tensor(new[] { 1f, float.PositiveInfinity }).to(ScalarType.BFloat16).AllFinite());
        Assert.IsTrue(torch.tensor(new long[] { long.MaxValue }).AllFinite(), "integers are always finite");
        Assert.IsTrue(torch.zeros(0).AllFinite(), "an empty tensor has nothing infinite");

        Assert.AreEqual(1.5, torch.tensor(1.5f).ItemAsDouble());
        Assert.AreEqual(0.1, torch.tensor(0.1).ItemAsDouble());
        Assert.AreEqual(-7.0, torch.tensor(-7L).ItemAsDouble());
        Assert.AreEqual(1L << 40, torch.tensor(1L << 40).ItemAsDouble());
        Assert.AreEqual(255.0, torch.tensor(new byte[] { 255 }).ItemAsDouble());
        Assert.AreEqual(-3.0, torch.tensor(-3).to(ScalarType.Int8).ItemAsDouble());
        Assert.AreEqual(-300.0, torch.tensor(-300).to(ScalarType.Int16).ItemAsDouble());
        Assert.AreEqual(1.0, torch.tensor(true).ItemAsDouble());
        Assert.AreEqual(0.0, torch.tensor(false).ItemAsDouble());
        Assert.AreEqual(0.333251953125, torch.tensor(1.0 / 3).to(ScalarType.Float16).ItemAsDouble());
        Assert.AreEqual(0.333984375, torch.tensor(1.0 / 3).to(ScalarType.BFloat16).ItemAsDouble());
        Assert.AreEqual(6.0, torch.ones(2, 3).sum().ItemAsDouble(), "a reduction's scalar");
        Assert.AreEqual(4.0, torch.arange(6).reshape(2, 3).t()[1, 1].ItemAsDouble(), "an element of a transposed view");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => torch.ones(2).ItemAsDouble()).Message, "one element, got shape [2]");
        Assert.ThrowsExactly<ArgumentException>(() => torch.zeros(0).ItemAsDouble());

        Assert.AreEqual("[2, 3]", torch.zeros(2, 3).ShapeString());
        Assert.AreEqual("[]", torch.tensor(1f).ShapeString());
        Assert.AreEqual("[0, 4]", torch.zeros(0, 4).ShapeString());
    }

    [TestMethod]
    public void TensorDataCopiesRawBytesRowMajor()
    {
        using var scope = torch.NewDisposeScope();
        float[] values = [1.5f, -2f, 0.25f, 8f, 3f, -0.5f];
        byte[] bytes = MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var t = TensorData.FromBytes(bytes, [2, 3], ScalarType.Float32);
        Assert.AreEqual(ScalarType.Float32, t.dtype);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, t.shape);
        CollectionAssert.AreEqual(values, t.data<float>().ToArray());
        CollectionAssert.AreEqual(bytes, TensorData.ToBytes(t));
        bytes[0] ^= 0xFF;
        Assert.AreEqual(1.5f, t[0, 0].item<float>(), "the tensor holds a copy");

        // Views of any layout come out row-major.
        float[] transposed = [1.5f, 8f, -2f, 3f, 0.25f, -0.5f];
        CollectionAssert.AreEqual(MemoryMarshal.AsBytes(transposed.AsSpan()).ToArray(), TensorData.ToBytes(t.t()));
        CollectionAssert.AreEqual(new byte[] { 1, 0, 1 }, TensorData.ToBytes(torch.tensor(new[] { true, false, true })));
        Assert.IsEmpty(TensorData.ToBytes(torch.zeros(0, 3)));
        Assert.AreEqual(0, TensorData.FromBytes([], [4, 0], ScalarType.Int64).numel());
        Assert.AreEqual(7L, TensorData.FromBytes(BitConverter.GetBytes(7L), [], ScalarType.Int64).item<long>());

        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => TensorData.FromBytes(new byte[7], [2], ScalarType.Float32)).Message,
            "The data has 7 bytes but shape [2] of Float32 elements needs 8.");
        Assert.ThrowsExactly<ArgumentException>(() => TensorData.FromBytes(new byte[8], [2, -1], ScalarType.Float32));
        Assert.ThrowsExactly<ArgumentException>(() => TensorData.FromBytes(new byte[8], [1L << 40, 1L << 40], ScalarType.Float64));
    }

    [TestMethod]
    public void RngStateRoundTripsAndRejectsForeignStates()
    {
        torch.manual_seed(123);
        byte[] state = TorchRuntime.GetRngState();
        Assert.IsTrue(state.Length > 0);
        float[] first, second;
        using (var a = torch.randn(16)) first = a.data<float>().ToArray();
        TorchRuntime.SetRngState(state);
        using (var b = torch.randn(16)) second = b.data<float>().ToArray();
        CollectionAssert.AreEqual(first, second, "the restored generator repeats its draws");
        CollectionAssert.AreNotEqual(state, TorchRuntime.GetRngState(), "drawing advanced the state");

        var ex = Assert.ThrowsExactly<ArgumentException>(() => TorchRuntime.SetRngState(new byte[state.Length - 1]));
        StringAssert.Contains(ex.Message, $"needs {state.Length}");
        Assert.ThrowsExactly<ArgumentNullException>(() => TorchRuntime.SetRngState(null!));
    }

    [TestMethod]
    public void ThreadsCanBeChangedAndRestored()
    {
        int original = TorchRuntime.Threads;
        Assert.IsTrue(original >= 1);
        try
        {
            TorchRuntime.Threads = 1;
            Assert.AreEqual(1, TorchRuntime.Threads);
            Assert.AreEqual(1, torch.get_num_threads());
        }
        finally
        {
            TorchRuntime.Threads = original;
        }
        Assert.AreEqual(original, TorchRuntime.Threads);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TorchRuntime.Threads = 0);
    }

    [TestMethod]
    public void RetainFreedMemoryAppliesOnGlibcAndRejectsNegativeThresholds()
    {
        // The test host runs on glibc Linux; elsewhere the call reports that nothing changed.
        bool glibc = OperatingSystem.IsLinux() && (File.Exists("/lib/x86_64-linux-gnu/libc.so.6") || File.Exists("/lib/aarch64-linux-gnu/libc.so.6"));
        Assert.AreEqual(glibc, TorchRuntime.RetainFreedMemory());
        Assert.ThrowsExactly<ArgumentException>(() => TorchRuntime.RetainFreedMemory(-1));
        using var scope = torch.NewDisposeScope();
        Assert.AreEqual(1 << 20, torch.ones(1 << 20).sum().ItemAsDouble(), 0, "Allocation still works afterwards.");
    }

    [TestMethod]
    public void ThreadingEnvironmentIsSetThroughLibc()
    {
        if (OperatingSystem.IsWindows()) Assert.Inconclusive("The OpenMP settings are not made on Windows.");
        bool policyWasSet = Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is not null;
        bool spinWasSet = Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is not null;
        TorchRuntime.ConfigureThreadingEnvironment();
        TorchRuntime.ConfigureThreadingEnvironment(); // idempotent
        // Native code sees the values; .NET's copy of the environment does not (hence libc's setenv).
        string? policy = Marshal.PtrToStringUTF8(GetEnv("OMP_WAIT_POLICY"));
        string? spin = Marshal.PtrToStringUTF8(GetEnv("GOMP_SPINCOUNT"));
        Assert.IsNotNull(policy);
        Assert.IsNotNull(spin);
        if (!policyWasSet) Assert.AreEqual("PASSIVE", policy);
        if (!spinWasSet) Assert.AreEqual("10000", spin);
        Console.WriteLine($"OMP_WAIT_POLICY={policy} GOMP_SPINCOUNT={spin} (must be set before the first torch call to take effect)");
    }

    [DllImport("libc", EntryPoint = "getenv")]
    private static extern IntPtr GetEnv(string name);
}
