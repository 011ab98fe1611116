using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Vae.Torch.Native;

/// <summary>
/// The single load point of the native shim. It sets OpenMP's wait policy and spin count before libtorch
/// loads (through libc's setenv: .NET's Environment.SetEnvironmentVariable is invisible to native code),
/// finds the shim next to the assembly (or at VAE_TORCH_NATIVE), and sets the intra-op thread count.
/// </summary>
internal static class NativeLoader
{
    internal const string LibraryName = "vaetorch";
    private static readonly object Gate = new();
    private static IntPtr _handle;

    [ModuleInitializer]
    internal static void Register() =>
        NativeLibrary.SetDllImportResolver(typeof(NativeLoader).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != LibraryName) return IntPtr.Zero;
        lock (Gate)
        {
            if (_handle != IntPtr.Zero) return _handle;
            _handle = Load();
            ConfigureThreads(_handle);
            return _handle;
        }
    }

    private static IntPtr Load()
    {
        PrepareEnvironment();
        var tried = new List<string>();
        foreach (var candidate in Candidates())
        {
            tried.Add(candidate);
            if (File.Exists(candidate))
            {
                try { return NativeLibrary.Load(candidate); }
                catch (Exception ex) { tried[^1] += $" ({ex.Message})"; }
            }
        }
        throw new DllNotFoundException(
            "Cannot load the native libtorch shim (vaetorch). Build it with eng/setup.sh (which installs libtorch " +
            "and builds src/Native) or point VAE_TORCH_NATIVE at the built library. Tried: " + string.Join("; ", tried));
    }

    private static IEnumerable<string> Candidates()
    {
        string file = OperatingSystem.IsWindows() ? "vaetorch.dll" : OperatingSystem.IsMacOS() ? "libvaetorch.dylib" : "libvaetorch.so";
        var env = Environment.GetEnvironmentVariable("VAE_TORCH_NATIVE");
        if (!string.IsNullOrEmpty(env)) yield return Directory.Exists(env) ? Path.Combine(env, file) : env;
        yield return Path.Combine(AppContext.BaseDirectory, file);
        var asmDir = Path.GetDirectoryName(typeof(NativeLoader).Assembly.Location);
        if (!string.IsNullOrEmpty(asmDir)) yield return Path.Combine(asmDir, file);
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    /// <summary>The spin count libgomp's idle workers wait with before they sleep (about 0.1 ms), unless the caller set one.</summary>
    internal const string DefaultSpinCount = "10000";

    /// <summary>
    /// On small machines OpenMP's default spin-wait (milliseconds) makes two-thread timings erratic, and pure
    /// passive waiting puts the workers to sleep between two ops of the same step. The binding asks for passive
    /// waiting with a short spin (GOMP_SPINCOUNT overrides the policy's spin count in libgomp); see docs/setup.md.
    /// </summary>
    private static void PrepareEnvironment()
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            if (Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") is null) SetEnv("OMP_WAIT_POLICY", "PASSIVE", 0);
            if (Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is null) SetEnv("GOMP_SPINCOUNT", DefaultSpinCount, 0);
        }
        catch (Exception) { /* no libc setenv: keep the default policy */ }
    }

    private static unsafe void ConfigureThreads(IntPtr lib)
    {
        // libtorch defaults to one intra-op thread on some VMs; use the machine's cores unless told otherwise.
        if (Environment.GetEnvironmentVariable("OMP_NUM_THREADS") is not null) return;
        int threads = Environment.ProcessorCount;
        var env = Environment.GetEnvironmentVariable("VAE_TORCH_THREADS");
        if (int.TryParse(env, out var n) && n > 0) threads = n;
        var fn = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(lib, "vt_set_num_threads");
        fn(threads);
    }
}
