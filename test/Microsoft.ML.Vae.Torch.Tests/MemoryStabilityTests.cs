using System.Diagnostics;
using Microsoft.ML.Vae.Torch.NN;
using Microsoft.ML.Vae.Torch.Optim;

namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>A long training loop with one dispose scope per step keeps native memory and the tensor count flat.</summary>
[TestClass]
public sealed class MemoryStabilityTests : TorchTestBase
{
    private const int WarmUpSteps = 500;
    private const int Steps = 10_000;
    private const int CollectEvery = 250;

    [TestMethod]
    public void TenThousandTrainingSteps_KeepRssAndLiveTensorsFlat()
    {
        if (!File.Exists("/proc/self/status")) Assert.Inconclusive("Resident memory is read from /proc/self/status, which this OS lacks.");

        Torch.ManualSeed(1);
        using var net = new Sequential(new Linear(16, 32), new ReLU(), new Linear(32, 32), new Tanh(), new Linear(32, 1));
        using var adam = new Adam(net.Parameters(), 1e-3);
        using var x = Torch.Randn([32, 16]);
        using var y = Torch.Randn([32, 1]);

        double firstLoss = 0, lastLoss = 0;
        void Step(int i)
        {
            using var scope = Torch.NewDisposeScope();
            adam.ZeroGrad();
            var loss = Functional.MseLoss(net.Forward(x), y);
            loss.Backward();
            adam.Step();
            if (i == 0) firstLoss = loss.Item();
            if (i == Steps - 1) lastLoss = loss.Item();
        }

        var watch = Stopwatch.StartNew();
        for (int i = 0; i < WarmUpSteps; i++)
        {
            Step(i);
            if (i % CollectEvery == 0) GC.Collect();
        }
        long live = Tensor.LiveCount;
        long native = Torch.NativeLiveTensors;
        long rssAfterWarmUp = ResidentBytesWithoutManagedGarbage();

        // The tensor count is checked after every step, before any collection could finalize a
        // leaked tensor, so the collections below hide nothing. They keep the managed heap small:
        // each step leaves small wrapper objects, and fresh pages touched by them between rare
        // collections would otherwise look like native growth.
        int stepsWithLeaks = 0;
        for (int i = WarmUpSteps; i < Steps; i++)
        {
            Step(i);
            if (Tensor.LiveCount != live || Torch.NativeLiveTensors != native) stepsWithLeaks++;
            if (i % CollectEvery == 0) GC.Collect();
        }
        long rssAtEnd = ResidentBytesWithoutManagedGarbage();
        watch.Stop();

        Assert.AreEqual(0, stepsWithLeaks, "Steps that ended with more or fewer live tensors than they started with.");
        double growth = (rssAtEnd - rssAfterWarmUp) / (double)rssAfterWarmUp;
        Console.WriteLine($"RSS after warm-up {rssAfterWarmUp / 1048576.0:F1} MiB, at end {rssAtEnd / 1048576.0:F1} MiB ({growth:P2}); " +
                          $"{Steps} steps in {watch.Elapsed.TotalSeconds:F1} s; loss {firstLoss:F4} -> {lastLoss:F4}");
        Assert.IsTrue(growth < 0.05, $"RSS grew by {growth:P2} over {Steps - WarmUpSteps} steps.");
        Assert.IsTrue(lastLoss < firstLoss / 2, "The loop really trained.");
        Assert.IsTrue(watch.Elapsed.TotalSeconds < 15, $"The loop took {watch.Elapsed.TotalSeconds:F1} s.");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    /// <summary>
    /// VmRSS in bytes, read after a full collection (managed garbage does not count) and a glibc
    /// trim (freed but cached heap pages do not count either); leaked memory stays allocated and counts.
    /// </summary>
    private static long ResidentBytesWithoutManagedGarbage()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        try { MallocTrim(0); }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException) { /* not glibc: RSS as is */ }
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) * 1024; // reported in kB
        }
        throw new InvalidOperationException("VmRSS is missing from /proc/self/status.");
    }
}
