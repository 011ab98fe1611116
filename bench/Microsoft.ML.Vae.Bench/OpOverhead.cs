using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Bench;

/// <summary>
/// The fixed cost of one op through TorchSharp: <c>c = a + b</c> on 1-element tensors followed
/// by <c>c.Dispose()</c>, in a tight loop with no dispose scope open (a scope would add its own
/// bookkeeping, which the Python side has no counterpart for).
/// </summary>
public static class OpOverhead
{
    /// <summary>Blocks the timed loop is cut into; per-op median and minimum come from the blocks' times.</summary>
    public const int Blocks = 100;

    /// <summary>
    /// Times the loop in <see cref="Blocks"/> blocks (a stopwatch read per op would cost as much
    /// as the op); the mean is over all ops, median and minimum are per op within a block.
    /// </summary>
    public static LoopTiming Time(int warmup, int iterations, ScalarType dtype)
    {
        if (iterations < Blocks) throw new ArgumentOutOfRangeException(nameof(iterations), $"The op case needs at least {Blocks} iterations.");
        using var a = torch.ones(1, dtype);
        using var b = torch.ones(1, dtype);
        for (int i = 0; i < warmup; i++)
        {
            var c = a + b;
            c.Dispose();
        }
        var blockMs = new double[Blocks];
        int done = 0;
        long start = Stopwatch.GetTimestamp();
        for (int k = 0; k < Blocks; k++)
        {
            int n = (iterations - done) / (Blocks - k);
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++)
            {
                var c = a + b;
                c.Dispose();
            }
            blockMs[k] = (Stopwatch.GetTimestamp() - t0) * 1000.0 / Stopwatch.Frequency / n;
            done += n;
        }
        double totalMs = (Stopwatch.GetTimestamp() - start) * 1000.0 / Stopwatch.Frequency;
        Array.Sort(blockMs);
        return new LoopTiming(totalMs / iterations, (blockMs[Blocks / 2 - 1] + blockMs[Blocks / 2]) / 2, blockMs[0]);
    }
}
