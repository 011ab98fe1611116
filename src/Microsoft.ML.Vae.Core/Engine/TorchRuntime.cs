using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Engine;

/// <summary>
/// Process-wide facts and settings of the libtorch that TorchSharp loaded, where TorchSharp has no call of
/// its own: the version and build configuration, the thread count with validation, the CPU generator's
/// state as bytes, OpenMP's wait policy and glibc's allocator thresholds.
/// </summary>
public static unsafe class TorchRuntime
{
    /// <summary>The spin count libgomp's idle workers wait with before they sleep (about 0.1 ms), unless the caller set one.</summary>
    internal const string DefaultSpinCount = "10000";

    private static readonly object Gate = new();
    private static bool _environmentConfigured;
    private static string? _configuration;
    private static string? _version;

    // glibc's mallopt parameters (malloc.h).
    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_THRESHOLD = -3;

    /// <summary>
    /// Sets OpenMP's wait policy for libtorch's intra-op thread pool: <c>OMP_WAIT_POLICY=PASSIVE</c> and
    /// <c>GOMP_SPINCOUNT=10000</c>, each only when the process environment does not set it already. Idle
    /// OpenMP workers then spin about 0.1 ms between the ops of one step and sleep after, instead of holding
    /// every core for milliseconds (which makes two-thread timings erratic on small machines); see
    /// docs/setup.md. Idempotent; does nothing on Windows.
    /// </summary>
    /// <remarks>
    /// Call it first thing, <b>before the first TorchSharp call</b> of the process (the CLI and the trainer
    /// do): libtorch's OpenMP runtime reads the variables once, when it loads, and ignores later changes.
    /// The variables are set through the C library's <c>setenv</c>, because .NET's
    /// <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes only the managed copy of
    /// the environment, which native code never sees.
    /// </remarks>
    public static void ConfigureThreadingEnvironment()
    {
        if (OperatingSystem.IsWindows()) return;
        lock (Gate)
        {
            if (_environmentConfigured) return;
            _environmentConfigured = true;
            try
            {
                if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null) SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0);
                if (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is null) SetEnv("GOMP_SPINCOUNT", DefaultSpinCount, 0);
            }
            catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
            {
                // No libc setenv: OpenMP keeps its default policy.
            }
        }
    }

    /// <summary>
    /// Version of the loaded libtorch, e.g. "2.10.0" (read from its build configuration; where that is not
    /// available, the libtorch version TorchSharp was built for).
    /// </summary>
    public static string Version
    {
        get
        {
            if (_version is not null) return _version;
            string version = ParseVersion(Configuration) ?? TrimPackageVersion(torch.__version__);
            return _version = version;
        }
    }

    /// <summary>
    /// libtorch's build configuration (compiler, BLAS, OpenMP, oneDNN, CUDA...) as <c>torch.__config__.show()</c>
    /// prints it. Read from libtorch itself on Linux x64; elsewhere a one-line summary of what TorchSharp reports.
    /// </summary>
    public static string Configuration
    {
        get
        {
            if (_configuration is not null) return _configuration;
            lock (Gate)
            {
                return _configuration ??= ReadShowConfig() ??
                    $"libtorch {TrimPackageVersion(torch.__version__)} through TorchSharp " +
                    $"{typeof(torch).Assembly.GetName().Version?.ToString(3)}; CUDA available: {torch.cuda.is_available()}; " +
                    "the full build configuration is read on Linux x64 only.";
            }
        }
    }

    /// <summary>Intra-op threads libtorch uses (by default one per core; <c>OMP_NUM_THREADS</c> changes the default).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to less than 1.</exception>
    public static int Threads
    {
        get => torch.get_num_threads();
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "Thread count must be at least 1.");
            torch.set_num_threads(value);
        }
    }

    /// <summary>
    /// Keeps memory freed by tensors in the process for reuse instead of handing it back to the kernel
    /// (glibc's <c>M_TRIM_THRESHOLD</c> and <c>M_MMAP_THRESHOLD</c>; process-wide, not undone). A training
    /// step frees its whole graph at once, so with glibc's defaults the next step page-faults and zeroes the
    /// same memory again: on the 2-D S-IntroVAE step that was ~1,800 page faults and 15–20 % of the time per
    /// iteration. The price is that up to <paramref name="trimThresholdBytes"/> of freed memory stays resident.
    /// Returns false where the C library is not glibc (nothing changes then).
    /// </summary>
    /// <param name="trimThresholdBytes">Free memory at the top of the heap kept before trimming (default 512 MiB).</param>
    /// <param name="mmapThresholdBytes">Blocks at least this large are mapped separately (default 32 MiB, glibc's maximum).</param>
    /// <exception cref="ArgumentException">A threshold is negative, or glibc refused the values.</exception>
    public static bool RetainFreedMemory(long trimThresholdBytes = 512L << 20, long mmapThresholdBytes = 32L << 20)
    {
        if (trimThresholdBytes < 0 || mmapThresholdBytes < 0)
            throw new ArgumentException("The allocator thresholds must be non-negative.");
        if (!IsGlibc()) return false;
        // mallopt takes an int; larger values mean "never", as int.MaxValue does.
        int ok = Mallopt(M_MMAP_THRESHOLD, (int)Math.Min(mmapThresholdBytes, int.MaxValue));
        ok &= Mallopt(M_TRIM_THRESHOLD, (int)Math.Min(trimThresholdBytes, int.MaxValue));
        if (ok == 0)
            throw new ArgumentException(
                $"The C library refused the allocator thresholds (trim {trimThresholdBytes}, mmap {mmapThresholdBytes} bytes; " +
                "glibc accepts an mmap threshold of at most 32 MiB on 64-bit systems).");
        return true;
    }

    /// <summary>The CPU generator's state (what <c>torch.get_rng_state()</c> holds), for an exact resume.</summary>
    public static byte[] GetRngState()
    {
        using var state = torch.get_rng_state();
        return TensorData.ToBytes(state);
    }

    /// <summary>Restores a state from <see cref="GetRngState"/>.</summary>
    /// <exception cref="ArgumentException">The bytes are not a state of this libtorch's CPU generator (wrong length).</exception>
    public static void SetRngState(byte[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        long expected;
        using (var current = torch.get_rng_state()) expected = current.numel();
        if (state.Length != expected)
            throw new ArgumentException(
                $"The random generator state has {state.Length} bytes; the CPU generator of libtorch {Version} needs {expected}.", nameof(state));
        using var t = TensorData.FromBytes(state, [state.Length], ScalarType.Byte);
        torch.set_rng_state(t);
    }

    // ------------------------------------------------------------------ native helpers

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);

    [DllImport("libc", EntryPoint = "gnu_get_libc_version")]
    private static extern IntPtr GnuGetLibcVersion();

    private static bool IsGlibc()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return GnuGetLibcVersion() != IntPtr.Zero;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // musl and other C libraries
        }
    }

    private static string? ParseVersion(string configuration)
    {
        const string key = "TORCH_VERSION=";
        int at = configuration.IndexOf(key, StringComparison.Ordinal);
        if (at < 0) return null;
        int start = at + key.Length, end = start;
        while (end < configuration.Length && (char.IsAsciiDigit(configuration[end]) || configuration[end] == '.')) end++;
        return end > start ? configuration[start..end] : null;
    }

    /// <summary>"2.10.0.0" (a NuGet package version) → "2.10.0".</summary>
    private static string TrimPackageVersion(string version)
    {
        var parts = version.Split('.');
        return parts.Length == 4 && parts[3] == "0" ? string.Join('.', parts, 0, 3) : version;
    }

    /// <summary>
    /// Calls libtorch's <c>std::string at::show_config()</c> (what <c>torch.__config__.show()</c> prints),
    /// which TorchSharp does not expose. Only on Linux x64, where the C++ ABI is fixed: the string comes back
    /// through a hidden result pointer (the first argument) as libstdc++'s 32-byte string, {data, length,
    /// capacity or inline buffer}, and its heap buffer is released with <c>operator delete</c>. Null when
    /// anything is missing.
    /// </summary>
    private static string? ReadShowConfig()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64) return null;
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU); // makes TorchSharp load libtorch
            if (!TryLoadLoaded("libtorch_cpu.so", out var torchCpu)
                || !NativeLibrary.TryGetExport(torchCpu, "_ZN2at11show_configB5cxx11Ev", out var showConfig)
                || !NativeLibrary.TryLoad("libstdc++.so.6", out var cxx)
                || !NativeLibrary.TryGetExport(cxx, "_ZdlPv", out var operatorDelete))
                return null;
            byte* result = (byte*)NativeMemory.AllocZeroed(32);
            try
            {
                ((delegate* unmanaged<byte*, byte*>)showConfig)(result);
                byte* data = *(byte**)result;
                long length = *(long*)(result + 8);
                string text = length > 0 && data != null ? System.Text.Encoding.UTF8.GetString(data, checked((int)length)) : "";
                if (data != null && data != result + 16) ((delegate* unmanaged<void*, void>)operatorDelete)(data);
                return text;
            }
            finally
            {
                NativeMemory.Free(result);
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The handle of a library TorchSharp has loaded: by its name (the loader finds loaded libraries by name) or next to TorchSharp's native files.</summary>
    private static bool TryLoadLoaded(string file, out IntPtr handle)
    {
        if (NativeLibrary.TryLoad(file, out handle)) return true;
        foreach (var folder in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(torch).Assembly.Location) })
        {
            if (string.IsNullOrEmpty(folder)) continue;
            foreach (var candidate in new[] { Path.Combine(folder, file), Path.Combine(folder, "runtimes", "linux-x64", "native", file) })
                if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out handle)) return true;
        }
        return false;
    }
}
