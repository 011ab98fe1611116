using System.Runtime.InteropServices;

namespace Microsoft.ML.Vae.Bench;

/// <summary>Facts about the running process that decide whether two timings are comparable.</summary>
public static partial class RuntimeInfo
{
    /// <summary>
    /// The BLAS libraries this process has really mapped (from /proc/self/maps), e.g. the OpenBLAS
    /// build behind libblas.so.3. Empty where /proc is not available.
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
    /// OMP_WAIT_POLICY as native code sees it, or "(unset)". Read through libc because the binding
    /// sets a default with libc's setenv, which .NET's environment snapshot does not show.
    /// </summary>
    public static string OmpWaitPolicy() => NativeEnvironment("OMP_WAIT_POLICY");

    /// <summary>GOMP_SPINCOUNT as native code sees it (the binding sets a default the same way), or "(unset)".</summary>
    public static string GompSpinCount() => NativeEnvironment("GOMP_SPINCOUNT");

    /// <summary>OPENBLAS_CORETYPE as native code sees it, or "(unset)" (OpenBLAS then detects the CPU).</summary>
    public static string OpenBlasCoreType() => NativeEnvironment("OPENBLAS_CORETYPE");

    private static string NativeEnvironment(string name)
    {
        if (OperatingSystem.IsWindows()) return Environment.GetEnvironmentVariable(name) ?? "(unset)";
        var p = GetEnv(name);
        return p == IntPtr.Zero ? "(unset)" : Marshal.PtrToStringUTF8(p) ?? "(unset)";
    }

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr GetEnv(string name);
}
