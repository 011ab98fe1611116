using System.Diagnostics;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Bench;

// Inside Microsoft.ML.Vae.*, the bare name Torch would mean the namespace, not the class.
using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// The fixed cost of one op through the binding: <c>c = a + b</c> on 1-element tensors followed
/// by <c>c.Dispose()</c>, in a tight loop with no dispose scope open (a scope would add its own
/// bookkeeping, which the Python side has no counterpart for).
/// </summary>
public static class OpOverhead
{
    /// <summary>Times the loop as a whole (per-iteration stopwatch reads would cost as much as the op).</summary>
    public static LoopTiming Time(int warmup, int iterations, DType dtype)
    {
        if (iterations <= 0) throw new ArgumentOutOfRangeException(nameof(iterations), "At least one timed iteration is needed.");
        using var a = Torch.Ones([1], dtype);
        using var b = Torch.Ones([1], dtype);
        for (int i = 0; i < warmup; i++)
        {
            var c = a + b;
            c.Dispose();
        }
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < iterations; i++)
        {
            var c = a + b;
            c.Dispose();
        }
        double ms = (Stopwatch.GetTimestamp() - start) * 1000.0 / Stopwatch.Frequency;
        return new LoopTiming(ms / iterations, double.NaN, double.NaN);
    }
}
