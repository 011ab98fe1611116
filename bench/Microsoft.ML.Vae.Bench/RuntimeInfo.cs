namespace Microsoft.ML.Vae.Bench;

/// <summary>Facts about the running process that decide whether two timings are comparable.</summary>
public static class RuntimeInfo
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

    /// <summary>OMP_WAIT_POLICY as the native side sees it, or "(unset)".</summary>
    public static string OmpWaitPolicy() => Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") ?? "(unset)";
}
