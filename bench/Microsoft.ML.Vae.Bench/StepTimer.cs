using System.Diagnostics;

namespace Microsoft.ML.Vae.Bench;

/// <summary>Summary of a timed loop: mean and per-iteration statistics in milliseconds.</summary>
/// <param name="MeanMs">Total timed wall time divided by the iterations: the headline ms/iter.</param>
/// <param name="MedianMs">Median of the per-iteration times.</param>
/// <param name="MinMs">Fastest iteration: the figure least disturbed by other load on the machine.</param>
public readonly record struct LoopTiming(double MeanMs, double MedianMs, double MinMs);

/// <summary>Warm-up then timed iterations of a step, each iteration timed on its own.</summary>
public static class StepTimer
{
    /// <summary>Runs <paramref name="warmup"/> untimed then <paramref name="iterations"/> timed calls of <paramref name="step"/>.</summary>
    public static LoopTiming Time(Action step, int warmup, int iterations)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (iterations <= 0) throw new ArgumentOutOfRangeException(nameof(iterations), "At least one timed iteration is needed.");
        for (int i = 0; i < warmup; i++) step();
        var ticks = new long[iterations];
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < iterations; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            step();
            ticks[i] = Stopwatch.GetTimestamp() - t0;
        }
        long total = Stopwatch.GetTimestamp() - start;
        Array.Sort(ticks);
        double toMs = 1000.0 / Stopwatch.Frequency;
        double median = iterations % 2 == 1
            ? ticks[iterations / 2]
            : (ticks[iterations / 2 - 1] + ticks[iterations / 2]) / 2.0;
        return new LoopTiming(total * toMs / iterations, median * toMs, ticks[0] * toMs);
    }
}
