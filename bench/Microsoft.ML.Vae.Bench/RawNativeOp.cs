using System.Diagnostics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Bench;

/// <summary>
/// The op case without TorchSharp's managed layer: the same 1-element add and free, called straight
/// into TorchSharp's native library (LibTorchSharp, the C layer over libtorch) through function
/// pointers on raw handles (no Tensor object, no Scalar object per call, no dispose-scope check). It is
/// the floor any .NET binding over that library could reach, so the gap to <see cref="OpOverhead"/>
/// is what TorchSharp's own bookkeeping costs per op. C# only.
/// </summary>
public static unsafe class RawNativeOp
{
    /// <summary>Times the raw loop in <see cref="OpOverhead.Blocks"/> blocks, like <see cref="OpOverhead.Time"/>.</summary>
    public static LoopTiming Time(int warmup, int iterations, ScalarType dtype)
    {
        if (iterations < OpOverhead.Blocks) throw new ArgumentOutOfRangeException(nameof(iterations), $"The op case needs at least {OpOverhead.Blocks} iterations.");
        // TorchSharp loads (and initializes) libtorch and LibTorchSharp first; loading it again returns the same library.
        torch.InitializeDeviceType(DeviceType.CPU);
        IntPtr lib = LoadLibTorchSharp();
        // Signatures of LibTorchSharp's THSTensor.h / THSTorch.h.
        var ones = (delegate* unmanaged<long*, int, sbyte, int, int, byte, IntPtr>)Export(lib, "THSTensor_ones");
        var add = (delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr>)Export(lib, "THSTensor_add");
        var free = (delegate* unmanaged<IntPtr, void>)Export(lib, "THSTensor_dispose");
        var int32Scalar = (delegate* unmanaged<int, IntPtr>)Export(lib, "THSTorch_int32_to_scalar");
        var freeScalar = (delegate* unmanaged<IntPtr, void>)Export(lib, "THSTorch_dispose_scalar");

        long shape = 1;
        const int cpu = (int)DeviceType.CPU;
        IntPtr a = ones(&shape, 1, (sbyte)dtype, cpu, -1, 0), b = ones(&shape, 1, (sbyte)dtype, cpu, -1, 0);
        IntPtr alpha = int32Scalar(1);
        try
        {
            if (a == IntPtr.Zero || b == IntPtr.Zero || alpha == IntPtr.Zero) throw new InvalidOperationException("THSTensor_ones failed.");
            IntPtr first = add(a, b, alpha);
            if (first == IntPtr.Zero) throw new InvalidOperationException("THSTensor_add failed.");
            free(first);
            for (int i = 0; i < warmup; i++) free(add(a, b, alpha));
            var blockMs = new double[OpOverhead.Blocks];
            int done = 0;
            long start = Stopwatch.GetTimestamp();
            for (int k = 0; k < OpOverhead.Blocks; k++)
            {
                int n = (iterations - done) / (OpOverhead.Blocks - k);
                long t0 = Stopwatch.GetTimestamp();
                for (int i = 0; i < n; i++) free(add(a, b, alpha));
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
            if (a != IntPtr.Zero) free(a);
            if (b != IntPtr.Zero) free(b);
            if (alpha != IntPtr.Zero) freeScalar(alpha);
        }
    }

    private static IntPtr Export(IntPtr lib, string name) =>
        NativeLibrary.TryGetExport(lib, name, out var address)
            ? address
            : throw new EntryPointNotFoundException($"LibTorchSharp has no export '{name}'; this case is written against TorchSharp 0.107.");

    /// <summary>The LibTorchSharp TorchSharp loaded: by name with TorchSharp's probing, else next to the program.</summary>
    private static IntPtr LoadLibTorchSharp()
    {
        if (NativeLibrary.TryLoad("LibTorchSharp", typeof(torch).Assembly, null, out var handle)) return handle;
        string file = OperatingSystem.IsWindows() ? "LibTorchSharp.dll" : OperatingSystem.IsMacOS() ? "libLibTorchSharp.dylib" : "libLibTorchSharp.so";
        string rid = RuntimeInformation.RuntimeIdentifier;
        foreach (var candidate in new[] { Path.Combine(AppContext.BaseDirectory, file), Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native", file) })
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out handle)) return handle;
        throw new DllNotFoundException($"Could not find {file}, TorchSharp's native library, next to the program.");
    }
}
