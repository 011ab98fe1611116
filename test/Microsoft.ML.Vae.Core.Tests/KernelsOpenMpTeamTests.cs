using Microsoft.ML.Vae.Core.Kernels;
using TorchSharp;
using static Microsoft.ML.Vae.Core.Tests.KernelsTestSupport;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// The fused kernels' blocks on libtorch's OpenMP team: every block runs once, on more than one thread,
/// a failing block surfaces as an exception on the caller, and results equal the .NET thread pool's.
/// </summary>
[TestClass]
public sealed class KernelsOpenMpTeamTests
{
    private static T WithThreads<T>(int threads, Func<T> run)
    {
        int saved = torch.get_num_threads();
        try
        {
            torch.set_num_threads(threads);
            return run();
        }
        finally
        {
            torch.set_num_threads(saved);
        }
    }

    [TestMethod]
    public void Team_IsFoundWhereLibtorchBringsGnuOpenMp()
    {
        using var warm = torch.ones(1);   // libtorch (and its OpenMP runtime) is loaded
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("The CPU libtorch package uses GNU OpenMP on Linux only.");
        Assert.IsTrue(OpenMpTeam.Available, "GOMP_parallel was not found in the loaded OpenMP runtime");
    }

    [TestMethod]
    public void ForEachBlock_RunsEveryBlockOnce_OnSeveralThreads()
    {
        if (!OpenMpTeam.Available) Assert.Inconclusive("No OpenMP runtime with GOMP_parallel is loaded.");
        var counts = new int[40];
        var threadIds = new System.Collections.Concurrent.ConcurrentDictionary<int, bool>();
        WithThreads(2, () =>
        {
            FusedKernelSupport.ForEachBlock(counts.Length, block =>
            {
                threadIds[Environment.CurrentManagedThreadId] = true;
                Thread.Sleep(1);   // long enough that the second team member takes blocks too
                Interlocked.Increment(ref counts[block]);
            });
            return 0;
        });
        CollectionAssert.AreEqual(Enumerable.Repeat(1, counts.Length).ToArray(), counts);
        Assert.IsGreaterThanOrEqualTo(2, threadIds.Count, "blocks ran on one thread only");
    }

    [TestMethod]
    public void ForEachBlock_AFailingBlock_IsRethrownOnTheCaller_AndTheTeamStaysUsable()
    {
        if (!OpenMpTeam.Available) Assert.Inconclusive("No OpenMP runtime with GOMP_parallel is loaded.");
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => WithThreads(2, () =>
        {
            FusedKernelSupport.ForEachBlock(100, block =>
            {
                if (block == 37) throw new InvalidOperationException("block 37 failed");
            });
            return 0;
        }));
        Assert.AreEqual("block 37 failed", error.Message);
        long sum = 0;
        WithThreads(2, () =>
        {
            FusedKernelSupport.ForEachBlock(100, block => Interlocked.Add(ref sum, block));
            return 0;
        });
        Assert.AreEqual(4950L, sum);
    }

    [TestMethod]
    public void MonteCarloPass_OnTheTeam_EqualsTheThreadPool()
    {
        if (!OpenMpTeam.Available) Assert.Inconclusive("No OpenMP runtime with GOMP_parallel is loaded.");
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(12);
        var mean = torch.randn(300, 2);
        var logVar = torch.randn(300, 2) * 0.3 - 1;
        var noise = torch.randn(100, 300, 2);
        var means = torch.randn(64, 2);
        var logVars = torch.randn(64, 2) * 0.5 - 1;
        var logWeights = torch.randn(64).log_softmax(0);

        float[][] Run(bool team)
        {
            bool saved = OpenMpTeam.Enabled;
            try
            {
                OpenMpTeam.Enabled = team;
                return WithThreads(2, () =>
                {
                    var leaves = new[] { mean, logVar, means, logVars, logWeights }.Select(x => x.detach().requires_grad_()).ToArray();
                    var value = FusedOps.MixtureMonteCarloLogDensity(leaves[0], leaves[1], noise, leaves[2], leaves[3], leaves[4]).MeanLogDensity;
                    var grads = torch.autograd.grad(new[] { value.sum() }, leaves);
                    return new[] { value.detach() }.Concat(grads).Select(Floats).ToArray();
                });
            }
            finally
            {
                OpenMpTeam.Enabled = saved;
            }
        }

        var pool = Run(team: false);
        var openMp = Run(team: true);
        for (int i = 0; i < pool.Length; i++) CollectionAssert.AreEqual(pool[i], openMp[i], $"output {i}");
    }
}
