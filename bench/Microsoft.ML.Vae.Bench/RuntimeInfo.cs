using System.Runtime.InteropServices;
using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;

namespace Microsoft.ML.Vae.Bench;

/// <summary>Facts about the running process that decide whether two timings are comparable.</summary>
public static partial class RuntimeInfo
{
    /// <summary>
    /// The BLAS libraries this process has really mapped (from /proc/self/maps), e.g. the OpenBLAS
    /// build behind libblas.so.3. Empty where /proc is not available, and for a libtorch that has its
    /// BLAS built in (the libtorch of TorchSharp's packages links MKL statically: see <see cref="BlasInfo"/>).
    /// </summary>
    public static IReadOnlyList<string> LoadedBlas()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps)) return [];
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(maps))
        {
            int slash = line.IndexOf('/');
            if (slash < 0) continue;
            string path = line[slash..];
            string file = Path.GetFileName(path);
            if (file.Contains("blas", StringComparison.OrdinalIgnoreCase) || file.Contains("lapack", StringComparison.OrdinalIgnoreCase))
                found.Add(path);
        }
        return found.ToList();
    }

    /// <summary>
    /// The BLAS libtorch was built with, from its build configuration (<c>BLAS_INFO=mkl</c> →
    /// "mkl"), or "(unknown)" where the configuration cannot be read.
    /// </summary>
    public static string BlasInfo()
    {
        const string key = "BLAS_INFO=";
        string config = TorchRuntime.Configuration;
        int at = config.IndexOf(key, StringComparison.Ordinal);
        if (at < 0) return "(unknown)";
        int start = at + key.Length, end = start;
        while (end < config.Length && config[end] is not (',' or ' ' or '\n' or '\r')) end++;
        return end > start ? config[start..end] : "(unknown)";
    }

    /// <summary>libtorch's version, e.g. "2.10.0".</summary>
    public static string TorchVersion() => TorchRuntime.Version;

    /// <summary>The TorchSharp assembly's version, e.g. "0.107.0".</summary>
    public static string TorchSharpVersion() => typeof(torch).Assembly.GetName().Version?.ToString(3) ?? "(unknown)";

    /// <summary>
    /// OMP_WAIT_POLICY as native code sees it, or "(unset)". Read through libc because
    /// <see cref="TorchRuntime.ConfigureThreadingEnvironment"/> sets a default with libc's setenv,
    /// which .NET's environment snapshot does not show.
    /// </summary>
    public static string OmpWaitPolicy() => NativeEnvironment("OMP_WAIT_POLICY");

    /// <summary>GOMP_SPINCOUNT as native code sees it (given a default the same way), or "(unset)".</summary>
    public static string GompSpinCount() => NativeEnvironment("GOMP_SPINCOUNT");

    private static string NativeEnvironment(string name)
    {
        if (OperatingSystem.IsWindows()) return Environment.GetEnvironmentVariable(name) ?? "(unset)";
        var p = GetEnv(name);
        return p == IntPtr.Zero ? "(unset)" : Marshal.PtrToStringUTF8(p) ?? "(unset)";
    }

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);
}
