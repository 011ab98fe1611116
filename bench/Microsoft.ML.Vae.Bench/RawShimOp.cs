using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Bench;

// Inside Microsoft.ML.Vae.*, the bare name Torch would mean the namespace, not the class.
using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// The op case without the binding's managed layer: the same 1-element add and free, called
/// straight into the native shim through function pointers on raw handles (no Tensor object, no
/// SafeHandle, no scope). It is the floor any binding over this shim could reach, so the gap to
/// <see cref="OpOverhead"/> is what the binding's own bookkeeping costs per op. C# only.
/// </summary>
public static unsafe class RawShimOp
{
    // Op codes of vaetorch.h (VT_ADD is the first binary op); device type 0 is the CPU.
    private const int AddOp = 0;
    private const int CpuDevice = 0;

    /// <summary>Times the raw loop in <see cref="OpOverhead.Blocks"/> blocks, like <see cref="OpOverhead.Time"/>.</summary>
    public static LoopTiming Time(int warmup, int iterations, DType dtype)
    {
        if (iterations < OpOverhead.Blocks) throw new ArgumentOutOfRangeException(nameof(iterations), $"The op case needs at least {OpOverhead.Blocks} iterations.");
        _ = Torch.Version; // the binding loads (and configures) the shim first; loading it again returns the same library
        IntPtr lib = NativeLibrary.Load(ShimPath());
        var ones = (delegate* unmanaged<long*, int, int, int, int, IntPtr>)NativeLibrary.GetExport(lib, "vt_ones");
        var binary = (delegate* unmanaged<int, IntPtr, IntPtr, IntPtr>)NativeLibrary.GetExport(lib, "vt_binary");
        var free = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(lib, "vt_free");

        long shape = 1;
        IntPtr a = ones(&shape, 1, (int)dtype, CpuDevice, -1), b = ones(&shape, 1, (int)dtype, CpuDevice, -1);
        if (a == IntPtr.Zero || b == IntPtr.Zero) throw new InvalidOperationException("vt_ones failed.");
        try
        {
            for (int i = 0; i < warmup; i++) free(binary(AddOp, a, b));
            var blockMs = new double[OpOverhead.Blocks];
            int done = 0;
            long start = Stopwatch.GetTimestamp();
            for (int k = 0; k < OpOverhead.Blocks; k++)
            {
                int n = (iterations - done) / (OpOverhead.Blocks - k);
                long t0 = Stopwatch.GetTimestamp();
                for (int i = 0; i < n; i++) free(binary(AddOp, a, b));
                blockMs[k] = (Stopwatch.GetTimestamp() - t0) * 1000.0 / Stopwatch.Frequency / n;
                done += n;
            }
            double totalMs = (Stopwatch.GetTimestamp() - start) * 1000.0 / Stopwatch.Frequency;
            Array.Sort(blockMs);
            int mid = OpOverhead.Blocks / 2;
            return new LoopTiming(totalMs / iterations, (blockMs[mid - 1] + blockMs[mid]) / 2, blockMs[0]);
        }
        finally
        {
            free(a);
            free(b);
        }
    }

    private static string ShimPath()
    {
        var env = Environment.GetEnvironmentVariable("VAE_TORCH_NATIVE");
        string file = OperatingSystem.IsWindows() ? "vaetorch.dll" : OperatingSystem.IsMacOS() ? "libvaetorch.dylib" : "libvaetorch.so";
        if (!string.IsNullOrEmpty(env)) return Directory.Exists(env) ? Path.Combine(env, file) : env;
        return Path.Combine(AppContext.BaseDirectory, file);
    }
}
