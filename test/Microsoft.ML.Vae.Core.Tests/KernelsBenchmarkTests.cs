using System.Diagnostics;
using Microsoft.ML.Vae.Core.Kernels;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// Timings of the learned-prior pieces of a Soft-IntroVAE iteration (docs/benchmarks.md): one Monte-Carlo
/// KL to a K = 64 mixture (512 posteriors × 100 samples, d = 2: a 51,200 × 64 log-density matrix), forward
/// and backward, with the posterior's gradient (stop-gradient prior) and with the prior's gradient
/// (detached posterior), fused against the generic formulation; and the six KLs' noise, the fused
/// generator against <c>torch.randn</c>. Runs only with VAE_RUN_BENCHMARKS set; prints medians.
/// </summary>
[TestClass]
public sealed class KernelsBenchmarkTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("Benchmark")]
    [EnvironmentVariableCondition("VAE_RUN_BENCHMARKS")]
    public void MixtureKl_FusedAgainstGeneric()
    {
        const long b = 512, d = 2, k = 64;
        const int m = 100, iters = 40;
        int savedThreads = torch.get_num_threads();
        bool savedFused = MixturePriorDensity.UseFusedKernel;
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        var mean = torch.randn(b, d).requires_grad_();
        var logVar = (torch.randn(b, d) * 0.3 - 1).detach().requires_grad_();
        var prior = new MixturePriorParameters(torch.randn(k, d).requires_grad_(), (torch.randn(k, d) * 0.3).detach().requires_grad_(),
            torch.randn(k).log_softmax(0).detach().requires_grad_());
        var target = prior.Detach();
        var noise = MixturePriorKl.DrawKlNoise(mean, m);

        static double Median(Action step, int count)
        {
            for (int i = 0; i < 5; i++)
            {
                using var warm = torch.NewDisposeScope();
                step();
            }
            var times = new double[count];
            for (int i = 0; i < count; i++)
            {
                using var inner = torch.NewDisposeScope();
                var watch = Stopwatch.StartNew();
                step();
                times[i] = watch.Elapsed.TotalMilliseconds;
            }
            Array.Sort(times);
            return times[count / 2];
        }

        try
        {
            foreach (int threads in new[] { 1, 2 })
            {
                torch.set_num_threads(threads);
                foreach (var (name, fused) in new[] { ("fused", true), ("generic", false) })
                {
                    MixturePriorDensity.UseFusedKernel = fused;
                    int count = fused ? iters : iters / 4;
                    double post = Median(() => torch.autograd.grad(
                        new[] { MixturePriorKl.Estimate(mean, logVar, target, noise).PerSample.sum() }, new[] { mean, logVar }), count);
                    double priorGrad = Median(() => torch.autograd.grad(
                        new[] { MixturePriorKl.Estimate(mean.detach(), logVar.detach(), prior, noise).PerSample.sum() },
                        new[] { prior.Means, prior.LogVars, prior.LogWeights }), count);
                    TestContext.WriteLine($"threads {threads}, {name}: one KL fwd+bwd, posterior gradient {post:F2} ms, prior gradient {priorGrad:F2} ms");
                }
                MixturePriorDensity.UseFusedKernel = true;
                foreach (int bits in new[] { 512, 256, 128 })
                {
                    double post = KernelsTestSupport.WithVectorBits(bits, () => Median(() => torch.autograd.grad(
                        new[] { MixturePriorKl.Estimate(mean, logVar, target, noise).PerSample.sum() }, new[] { mean, logVar }), iters));
                    TestContext.WriteLine($"threads {threads}, fused at {bits} bits{(bits == FusedKernelSupport.VectorBits ? " (this machine's default)" : "")}: posterior gradient {post:F2} ms");
                }
                double fusedNoise = Median(() => FusedOps.MonteCarloNoise(6, m, b, d), iters);
                double randnNoise = Median(() => torch.randn(new long[] { 6, m, b, d }).square().sum(3).mean(new long[] { 1 }), iters);
                TestContext.WriteLine($"threads {threads}: the six KLs' noise with Σε², fused {fusedNoise:F2} ms, torch.randn {randnNoise:F2} ms");
            }
        }
        finally
        {
            torch.set_num_threads(savedThreads);
            MixturePriorDensity.UseFusedKernel = savedFused;
        }
    }
}
