using System.Globalization;

namespace Microsoft.ML.Vae.Bench;

/// <summary>The process's peak resident memory as the kernel counts it (VmHWM), native allocations included.</summary>
public static class PeakMemory
{
    /// <summary>VmHWM of this process in MiB, read from /proc/self/status; null where /proc is not available.</summary>
    public static double? ResidentMiB()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        foreach (var line in File.ReadLines(status))
        {
            if (!line.StartsWith("VmHWM:", StringComparison.Ordinal)) continue;
            // "VmHWM:    123456 kB"
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb))
                return Math.Round(kb / 1024.0, 1);
        }
        return null;
    }
}
