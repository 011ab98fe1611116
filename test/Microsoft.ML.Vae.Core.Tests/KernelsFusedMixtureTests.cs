using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Kernels;
using TorchSharp;
using static Microsoft.ML.Vae.Core.Tests.KernelsTestSupport;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// The fused mixture log-density kernel against the brute-force float64 computation
/// logsumexp_k(log w_k − ½ Σ_j [lv_kj + (z_nj − μ_kj)² e^{−lv_kj}]) built from generic ops, and its
/// hand-written gradients against autograd of that computation; thread-count invariance, the vector
/// widths against each other, non-finite inputs and higher-order gradients.
/// </summary>
[TestClass]
public sealed class KernelsFusedMixtureTests
{
    private sealed record Mixture(Tensor Z, Tensor Means, Tensor LogVars, Tensor LogWeights);

    private static Mixture Make(long n, long d, long k, long seed, double logVarScale = 0.5, double logVarShift = -1)
    {
        torch.manual_seed(seed);
        return new Mixture(
            torch.randn(n, d) * 1.5,
            torch.randn(k, d),
            torch.randn(k, d) * logVarScale + logVarShift,
            torch.randn(k).log_softmax(0));
    }

    private static Tensor F64(Tensor t) => t.to_type(ScalarType.Float64);

    /// <summary>The [N, K] joint log-probabilities by broadcasting an [N, K, d] difference, in the inputs' dtype.</summary>
    private static Tensor Joint(Tensor z, Tensor means, Tensor logVars, Tensor logWeights)
    {
        var diff = z.unsqueeze(1) - means.unsqueeze(0);
        return logWeights - ((diff.square() * logVars.neg().exp()).sum(2) + logVars.sum(1)) * 0.5;
    }

    [TestMethod]
    [DataRow(1L, 1L, 1L)]
    [DataRow(3000L, 2L, 64L)]   // crosses the 1,024-row blocks; K a multiple of the vector width
    [DataRow(700L, 5L, 13L)]    // K not a multiple of the vector width (padding lanes)
    [DataRow(64L, 32L, 100L)]   // image-sized latents and components
    public void Forward_MatchesBruteForceInFloat64(long n, long d, long k)
    {
        using var scope = torch.NewDisposeScope();
        var m = Make(n, d, k, seed: n + d + k);
        var (lse, usage) = FusedOps.MixtureLogSumExp(m.Z, m.Means, m.LogVars, m.LogWeights, withUsage: true);
        var joint = Joint(F64(m.Z), F64(m.Means), F64(m.LogVars), F64(m.LogWeights));
        CollectionAssert.AreEqual(new[] { n }, lse.shape);
        CollectionAssert.AreEqual(new[] { k }, usage!.shape);
        Assert.AreEqual(ScalarType.Float32, lse.dtype);
        var expected = Values(joint.logsumexp(1));
        var actual = Floats(lse);
        for (int i = 0; i < n; i++)
            Assert.AreEqual(expected[i], actual[i], 2e-5 * Math.Max(1, Math.Abs(expected[i])), $"row {i}");
        AssertClose(joint.softmax(1).mean(new long[] { 0 }), F64(usage), 1e-6);
        Assert.AreEqual(1.0, usage.sum().ItemAsDouble(), 1e-5, "Mean responsibilities sum to one.");
    }

    [TestMethod]
    [DataRow(2500L, 2L, 64L, true)]
    [DataRow(300L, 3L, 10L, false)]
    [DataRow(40L, 32L, 100L, true)]
    public void Gradients_MatchAutogradOfTheBruteForceComputation(long n, long d, long k, bool withUsage)
    {
        using var scope = torch.NewDisposeScope();
        var m = Make(n, d, k, seed: 7 * n + d);
        torch.manual_seed(123);
        var lseWeights = torch.randn(n);
        var usageWeights = torch.randn(k) * 10;

        Tensor[] Grads(Mixture x, bool fused)
        {
            var leaves = new[] { x.Z, x.Means, x.LogVars, x.LogWeights }.Select(t => t.detach().requires_grad_()).ToArray();
            Tensor lse, usage;
            if (fused)
            {
                var (l, u) = FusedOps.MixtureLogSumExp(leaves[0], leaves[1], leaves[2], leaves[3], withUsage);
                lse = l;
                usage = u ?? torch.zeros(k);
            }
            else
            {
                var joint = Joint(leaves[0], leaves[1], leaves[2], leaves[3]);
                lse = joint.logsumexp(1);
                usage = withUsage ? joint.softmax(1).mean(new long[] { 0 }) : torch.zeros(new[] { k }, leaves[0].dtype);
            }
            var loss = (lse * lseWeights.to_type(lse.dtype)).sum() + (usage * usageWeights.to_type(usage.dtype)).sum();
            return torch.autograd.grad(new[] { loss }, leaves).Select(F64).ToArray();
        }

        var fusedGrads = Grads(m, fused: true);
        var reference = Grads(new Mixture(F64(m.Z), F64(m.Means), F64(m.LogVars), F64(m.LogWeights)), fused: false);
        string[] names = ["z", "means", "logVars", "logWeights"];
        for (int i = 0; i < 4; i++)
        {
            double scale = Math.Max(1, MaxAbs(reference[i]));
            double error = MaxDifference(fusedGrads[i], reference[i]);
            Assert.IsLessThan(2e-4 * scale, error, $"d/d {names[i]}: max error {error:G3} at scale {scale:G3}.");
        }
    }

    [TestMethod]
    public void PartialGradients_StopGradientPriorOrDetachedLatents_MatchTheFullGradient()
    {
        using var scope = torch.NewDisposeScope();
        var m = Make(1500, 2, 64, seed: 5);
        var z = m.Z.detach().requires_grad_();
        var means = m.Means.detach().requires_grad_();
        var logVars = m.LogVars.detach().requires_grad_();
        var logWeights = m.LogWeights.detach().requires_grad_();
        var full = torch.autograd.grad(new[] { FusedOps.MixtureLogSumExp(z, means, logVars, logWeights).LogSumExp.sum() }, new[] { z, means, logVars, logWeights });

        // A stop-gradient prior: only the latents' gradient is computed (the component accumulators are skipped).
        var zOnly = torch.autograd.grad(new[] { FusedOps.MixtureLogSumExp(z, m.Means, m.LogVars, m.LogWeights).LogSumExp.sum() }, new[] { z });
        AssertClose(full[0], zOnly[0], 0);
        // Detached latents: only the prior's gradients.
        var priorOnly = torch.autograd.grad(new[] { FusedOps.MixtureLogSumExp(m.Z, means, logVars, logWeights).LogSumExp.sum() }, new[] { means, logVars, logWeights });
        for (int i = 0; i < 3; i++) AssertClose(full[i + 1], priorOnly[i], 0);
    }

    [TestMethod]
    public void Results_DoNotDependOnTheThreadCount()
    {
        using var scope = torch.NewDisposeScope();
        var m = Make(5000, 2, 64, seed: 11);
        AssertSameOnOneAndTwoThreads(() =>
        {
            var leaves = new[] { m.Z, m.Means, m.LogVars, m.LogWeights }.Select(x => x.detach().requires_grad_()).ToArray();
            var (lse, usage) = FusedOps.MixtureLogSumExp(leaves[0], leaves[1], leaves[2], leaves[3], withUsage: true);
            var grads = torch.autograd.grad(new[] { lse.sum() + usage!.square().sum() }, leaves);
            return new[] { lse, usage }.Concat(grads).Select(Floats).ToArray();
        });
    }

    [TestMethod]
    public void ExtremeValues_TinyVariancesFarPointsAndZeroWeights_StayFiniteAndAccurate()
    {
        using var scope = torch.NewDisposeScope();
        var z = torch.tensor(new float[] { 0, 0, 50, -50, 0.001f, 0.002f }, new long[] { 3, 2 });
        var means = torch.tensor(new float[] { 0, 0, 1, 1, -3, 2 }, new long[] { 3, 2 });
        var logVars = torch.tensor(new float[] { -12, -12, 0, 0, 3, -2 }, new long[] { 3, 2 });
        var logWeights = torch.tensor(new float[] { MathF.Log(0.5f), MathF.Log(0.5f), float.NegativeInfinity });
        var (lse, usage) = FusedOps.MixtureLogSumExp(z, means, logVars, logWeights, withUsage: true);
        var joint = Joint(F64(z), F64(means), F64(logVars), F64(logWeights));
        var expected = Values(joint.logsumexp(1));
        var actual = Floats(lse);
        for (int i = 0; i < 3; i++)
        {
            Assert.IsTrue(float.IsFinite(actual[i]), $"row {i} is {actual[i]}");
            Assert.AreEqual(expected[i], actual[i], 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"row {i}");
        }
        Assert.AreEqual(0f, Floats(usage!)[2], 1e-30f, "A zero-weight component is never responsible.");
    }

    [TestMethod]
    public void NonFiniteLatent_GivesNaNForItsRowOnly()
    {
        using var scope = torch.NewDisposeScope();
        var m = Make(4, 2, 9, seed: 3);
        var z = torch.tensor(new float[] { 0, 1, float.NaN, 0, 2, float.PositiveInfinity, -1, 0.5f }, new long[] { 4, 2 });
        var lse = Floats(FusedOps.MixtureLogSumExp(z, m.Means, m.LogVars, m.LogWeights).LogSumExp);
        Assert.IsTrue(float.IsFinite(lse[0]) && float.IsFinite(lse[3]));
        Assert.IsTrue(float.IsNaN(lse[1]) && float.IsNaN(lse[2]));
    }

    [TestMethod]
    public void BadInputs_AreRefusedWithClearMessages()
    {
        using var scope = torch.NewDisposeScope();
        var m = Make(10, 2, 4, seed: 1);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => FusedOps.MixtureLogSumExp(F64(m.Z), m.Means, m.LogVars, m.LogWeights));
        StringAssert.Contains(ex.Message, "float32");
        ex = Assert.ThrowsExactly<ArgumentException>(() => FusedOps.MixtureLogSumExp(torch.randn(10, 3), m.Means, m.LogVars, m.LogWeights));
        StringAssert.Contains(ex.Message, "dimension");
        ex = Assert.ThrowsExactly<ArgumentException>(() => FusedOps.MixtureLogSumExp(m.Z, m.Means, m.LogVars, torch.zeros(5)));
        StringAssert.Contains(ex.Message, "log-weights");
        Assert.ThrowsExactly<ArgumentNullException>(() => FusedOps.MixtureLogSumExp(m.Z, null!, m.LogVars, m.LogWeights));
        Assert.IsFalse(FusedOps.SupportsMixtureLogSumExp(F64(m.Z), m.Means, m.LogVars, m.LogWeights));
        Assert.IsTrue(FusedOps.SupportsMixtureLogSumExp(m.Z, m.Means, m.LogVars, m.LogWeights));
    }

    [TestMethod]
    public void SecondOrderGradients_MatchTheGenericFormulationRatherThanBeingSilentlyZero()
    {
        // The old native op refused create_graph. A TorchSharp backward runs in a native callback that cannot
        // throw, so the fused op answers a graph-recording backward pass with autograd of the generic
        // formulation: second derivatives are exact, never silently zero.
        using var scope = torch.NewDisposeScope();
        var m = Make(30, 2, 5, seed: 2);
        Tensor[] SecondOrder(bool fused)
        {
            var leaves = new[] { m.Z, m.Means, m.LogVars, m.LogWeights }.Select(t => t.detach().requires_grad_()).ToArray();
            var (lse, usage) = fused
                ? FusedOps.MixtureLogSumExp(leaves[0], leaves[1], leaves[2], leaves[3], withUsage: true)
                : (Joint(leaves[0], leaves[1], leaves[2], leaves[3]).logsumexp(1), Joint(leaves[0], leaves[1], leaves[2], leaves[3]).softmax(1).mean(new long[] { 0 }));
            var first = torch.autograd.grad(new[] { lse.sum() + usage!.square().sum() }, leaves, retain_graph: true, create_graph: true);
            var penalty = first.Select(g => g.square().sum()).Aggregate((a, b) => a + b);
            return torch.autograd.grad(new[] { penalty }, leaves).ToArray();
        }
        var fusedGrads = SecondOrder(true);
        var generic = SecondOrder(false);
        for (int i = 0; i < 4; i++)
        {
            double scale = Math.Max(1, MaxAbs(generic[i]));
            Assert.IsGreaterThan(0.0, MaxAbs(fusedGrads[i]), $"second-order gradient {i} is zero");
            Assert.IsLessThan(1e-3 * scale, MaxDifference(fusedGrads[i], generic[i]), $"second-order gradient {i}");
        }
    }

    [TestMethod]
    public void NonContiguousInputs_GiveTheSameResults()
    {
        using var scope = torch.NewDisposeScope();
        var m = Make(200, 3, 7, seed: 9);
        var (lse, usage) = FusedOps.MixtureLogSumExp(m.Z, m.Means, m.LogVars, m.LogWeights, withUsage: true);
        // Transposed copies viewed back: same values, non-contiguous strides.
        var z = m.Z.t().contiguous().t();
        var means = m.Means.t().contiguous().t();
        Assert.IsFalse(z.is_contiguous());
        var (lse2, usage2) = FusedOps.MixtureLogSumExp(z, means, m.LogVars, m.LogWeights, withUsage: true);
        AssertClose(lse, lse2, 0);
        AssertClose(usage!, usage2!, 0);
    }

    [TestMethod]
    [DataRow(256)]
    [DataRow(128)]
    public void VectorWidths_AgreeWithTheWidestPath(int bits)
    {
        // Every width runs the same element-wise arithmetic; only the order of the horizontal sums differs.
        using var scope = torch.NewDisposeScope();
        var m = Make(1100, 3, 37, seed: 12);   // a partial row block; K = 37 pads to 48 (remainder lanes)
        var (mean, logVar, noise, prior) = MakeMonteCarlo(45, 3, 37, 30, seed: 13);
        float[][] Run()
        {
            var leaves = new[] { m.Z, m.Means, m.LogVars, m.LogWeights }.Select(x => x.detach().requires_grad_()).ToArray();
            var (lse, usage) = FusedOps.MixtureLogSumExp(leaves[0], leaves[1], leaves[2], leaves[3], withUsage: true);
            var grads = torch.autograd.grad(new[] { lse.sum() + usage!.square().sum() }, leaves);
            var mc = new[] { mean, logVar, prior.Means, prior.LogVars, prior.LogWeights }.Select(x => x.detach().requires_grad_()).ToArray();
            var value = FusedOps.MixtureMonteCarloLogDensity(mc[0], mc[1], noise, mc[2], mc[3], mc[4]).MeanLogDensity;
            var mcGrads = torch.autograd.grad(new[] { value.sum() }, mc);
            return new[] { lse, usage }.Concat(grads).Append(value).Concat(mcGrads).Select(Floats).ToArray();
        }
        var widest = WithVectorBits(512, Run);
        var other = WithVectorBits(bits, Run);
        Assert.HasCount(widest.Length, other);
        for (int i = 0; i < widest.Length; i++)
        {
            double scale = Math.Max(1, widest[i].Max(v => Math.Abs(v)));
            for (int j = 0; j < widest[i].Length; j++)
                Assert.AreEqual(widest[i][j], other[i][j], 1e-5 * scale, $"output {i}[{j}] at {bits} bits");
        }
    }

    [TestMethod]
    [DataRow(false, true, 3L)]
    [DataRow(true, false, 3L)]
    [DataRow(false, false, 3L)]     // the single-pass op (no usage output): gradients come out of the forward pass
    [DataRow(false, false, 2L)]     // 2-D: the one-sweep posterior gradient
    [DataRow(true, true, 2L)]
    // 2-D with posteriors spread far beyond the components: many samples are too far for the sweep shifted by
    // max_k bias_k and take the exact two-pass path, the others the shifted sweep.
    [DataRow(false, false, 2L, 15.0)]
    [DataRow(true, true, 2L, 15.0)]
    public void MonteCarlo_MatchesExplicitSamplesThroughTheRowKernel(bool sharedNoise, bool withUsage, long d, double spread = 1.0)
    {
        using var scope = torch.NewDisposeScope();
        const long b = 37, k = 11, m = 50;
        var prior = Make(1, d, k, seed: 17);
        torch.manual_seed(4);
        var postMean = torch.randn(b, d) * spread;
        var postLogVar = torch.randn(b, d) * 0.3 - 1;
        var noise = torch.randn(m, sharedNoise ? 1 : b, d);
        var usageWeights = torch.randn(k);
        var rowWeights = torch.randn(b);

        float[][] Run(bool fused)
        {
            var leaves = new[] { postMean, postLogVar, prior.Means, prior.LogVars, prior.LogWeights }.Select(t => t.detach().requires_grad_()).ToArray();
            Tensor meanLse;
            Tensor? usage;
            if (fused)
            {
                (meanLse, usage) = FusedOps.MixtureMonteCarloLogDensity(leaves[0], leaves[1], noise, leaves[2], leaves[3], leaves[4], withUsage);
            }
            else
            {
                var z = (leaves[0].unsqueeze(0) + (leaves[1] * 0.5).exp().unsqueeze(0) * noise).reshape(m * b, d);
                var (lse, u) = FusedOps.MixtureLogSumExp(z, leaves[2], leaves[3], leaves[4], withUsage);
                meanLse = lse.reshape(m, b).mean(new long[] { 0 });
                usage = u;
            }
            var loss = (meanLse * rowWeights).sum();
            if (usage is not null) loss = loss + (usage * usageWeights).sum();
            var grads = torch.autograd.grad(new[] { loss }, leaves);
            var outputs = new List<Tensor> { meanLse.detach() };
            if (usage is not null) outputs.Add(usage.detach());
            return outputs.Concat(grads).Select(Floats).ToArray();
        }

        var fusedResults = Run(true);
        var composed = Run(false);
        // Far samples make terms hundreds of nats below the nearest component's, where both float32
        // computations (same math, different summation order) keep about five digits of the gradients.
        double tolerance = spread > 1 ? 1e-4 : 2e-5;
        Assert.HasCount(composed.Length, fusedResults);
        for (int i = 0; i < composed.Length; i++)
            for (int j = 0; j < composed[i].Length; j++)
                Assert.AreEqual(composed[i][j], fusedResults[i][j], tolerance * Math.Max(1, Math.Abs(composed[i][j])), $"output {i}[{j}]");
    }

    /// <summary>Posteriors [b, d], their noise [m, b, d] and a mixture of k components.</summary>
    private static (Tensor Mean, Tensor LogVar, Tensor Noise, Mixture Prior) MakeMonteCarlo(long b, long d, long k, long m, long seed)
    {
        var prior = Make(1, d, k, seed);
        return (torch.randn(b, d), torch.randn(b, d) * 0.3 - 1, torch.randn(m, b, d), prior);
    }

    [TestMethod]
    public void MonteCarlo_PartialGradients_MatchTheFullGradient()
    {
        // The single-pass op keeps only the gradients the graph will ask for: the posterior's (a
        // stop-gradient prior, as in the encoder and decoder KLs), the prior's (a detached posterior, as in
        // the prior's own KL), both, or none (no graph).
        using var scope = torch.NewDisposeScope();
        var (mean, logVar, noise, prior) = MakeMonteCarlo(300, 2, 64, 100, seed: 21);
        var rowWeights = torch.randn(300);
        var leaves = new[] { mean, logVar, prior.Means, prior.LogVars, prior.LogWeights }.Select(t => t.detach().requires_grad_()).ToArray();
        Tensor Loss(Tensor[] x) => (FusedOps.MixtureMonteCarloLogDensity(x[0], x[1], noise, x[2], x[3], x[4]).MeanLogDensity * rowWeights).sum();
        var full = torch.autograd.grad(new[] { Loss(leaves) }, leaves);

        var postOnly = torch.autograd.grad(new[] { Loss([leaves[0], leaves[1], prior.Means, prior.LogVars, prior.LogWeights]) }, new[] { leaves[0], leaves[1] });
        // (The partial sweeps sum in another order — the 2-D posterior-only sweep divides by each sample's
        // total once at the end — so they agree to float rounding.)
        for (int i = 0; i < 2; i++) AssertClose(full[i], postOnly[i], 1e-6);
        var priorOnly = torch.autograd.grad(new[] { Loss([mean, logVar, leaves[2], leaves[3], leaves[4]]) }, new[] { leaves[2], leaves[3], leaves[4] });
        for (int i = 0; i < 3; i++) AssertClose(full[i + 2], priorOnly[i], 1e-5 * Math.Max(1, MaxAbs(full[i + 2])));

        Tensor valueWithGraph = FusedOps.MixtureMonteCarloLogDensity(leaves[0], leaves[1], noise, leaves[2], leaves[3], leaves[4]).MeanLogDensity;
        Tensor valueNoGraph;
        using (torch.no_grad()) valueNoGraph = FusedOps.MixtureMonteCarloLogDensity(leaves[0], leaves[1], noise, leaves[2], leaves[3], leaves[4]).MeanLogDensity;
        Assert.IsFalse(valueNoGraph.requires_grad);
        AssertClose(valueWithGraph.detach(), valueNoGraph, 0);
    }

    [TestMethod]
    public void MonteCarlo_SinglePass_DoesNotDependOnTheThreadCount()
    {
        using var scope = torch.NewDisposeScope();
        var (mean, logVar, noise, prior) = MakeMonteCarlo(512, 2, 64, 100, seed: 8);
        var rowWeights = torch.randn(512);
        AssertSameOnOneAndTwoThreads(() =>
        {
            var leaves = new[] { mean, logVar, prior.Means, prior.LogVars, prior.LogWeights }.Select(x => x.detach().requires_grad_()).ToArray();
            var value = FusedOps.MixtureMonteCarloLogDensity(leaves[0], leaves[1], noise, leaves[2], leaves[3], leaves[4]).MeanLogDensity;
            var grads = torch.autograd.grad(new[] { (value * rowWeights).sum() }, leaves);
            return new[] { value.detach() }.Concat(grads).Select(Floats).ToArray();
        });
    }

    [TestMethod]
    public void MonteCarlo_WithUsage_DoesNotDependOnTheThreadCount()
    {
        using var scope = torch.NewDisposeScope();
        var (mean, logVar, noise, prior) = MakeMonteCarlo(100, 2, 20, 30, seed: 18);
        var rowWeights = torch.randn(100);
        AssertSameOnOneAndTwoThreads(() =>
        {
            var leaves = new[] { mean, logVar, prior.Means, prior.LogVars, prior.LogWeights }.Select(x => x.detach().requires_grad_()).ToArray();
            var (value, usage) = FusedOps.MixtureMonteCarloLogDensity(leaves[0], leaves[1], noise, leaves[2], leaves[3], leaves[4], withUsage: true);
            var grads = torch.autograd.grad(new[] { (value * rowWeights).sum() + usage!.square().sum() }, leaves);
            return new[] { value.detach(), usage.detach() }.Concat(grads).Select(Floats).ToArray();
        });
    }

    [TestMethod]
    [DataRow(512, 1.0)]
    [DataRow(256, 1.0)]
    [DataRow(512, 15.0)]   // many samples too far for the shifted sweep: pairs fall back to the exact path
    public void MonteCarlo_PairedSweeps_AreBitIdenticalToOneSampleSweeps(int bits, double spread)
    {
        if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
            Assert.Inconclusive("This CPU has no AVX-512, so the two-samples-per-sweep path is not used here.");
        using var scope = torch.NewDisposeScope();
        // 51 samples: the last sample of every posterior has no partner; one posterior is NaN.
        var (mean, logVar, noise, prior) = MakeMonteCarlo(40, 2, 64, 51, seed: 31);
        var meanValues = Floats(mean * spread);
        meanValues[7 * 2 + 1] = float.NaN;
        var means = torch.tensor(meanValues, new long[] { 40, 2 });
        var rowWeights = torch.randn(40);

        float[][] Run(bool paired)
        {
            bool saved = FusedKernelSupport.PairedSweeps;
            try
            {
                FusedKernelSupport.PairedSweeps = paired;
                return WithVectorBits(bits, () =>
                {
                    // A stop-gradient prior: the posterior-only pass, the one that pairs samples.
                    var leaves = new[] { means, logVar }.Select(x => x.detach().requires_grad_()).ToArray();
                    var value = FusedOps.MixtureMonteCarloLogDensity(leaves[0], leaves[1], noise, prior.Means, prior.LogVars, prior.LogWeights).MeanLogDensity;
                    var grads = torch.autograd.grad(new[] { (value.nan_to_num() * rowWeights).sum() }, leaves);
                    return new[] { value.detach() }.Concat(grads).Select(Floats).ToArray();
                });
            }
            finally
            {
                FusedKernelSupport.PairedSweeps = saved;
            }
        }

        var one = Run(paired: false);
        var two = Run(paired: true);
        Assert.IsTrue(float.IsNaN(one[0][7]), "the NaN posterior's value");
        Assert.IsTrue(one[0].Where((_, i) => i != 7).All(float.IsFinite), "the other posteriors' values");
        for (int i = 0; i < one.Length; i++) CollectionAssert.AreEqual(one[i], two[i], $"output {i}");
    }

    [TestMethod]
    public void MonteCarlo_NonFinitePosterior_GivesNaNForItsRowAndThePriorGradients()
    {
        using var scope = torch.NewDisposeScope();
        var (mean, logVar, noise, prior) = MakeMonteCarlo(6, 3, 10, 20, seed: 2);
        var meanValues = Floats(mean);
        meanValues[1 * 3 + 2] = float.NaN;
        var leaves = new[] { torch.tensor(meanValues, new long[] { 6, 3 }), logVar, prior.Means }.Select(t => t.detach().requires_grad_()).ToArray();
        var value = FusedOps.MixtureMonteCarloLogDensity(leaves[0], leaves[1], noise, leaves[2], prior.LogVars, prior.LogWeights).MeanLogDensity;
        var values = Floats(value);
        Assert.IsTrue(float.IsNaN(values[1]), "the NaN posterior's own value");
        for (int i = 0; i < 6; i++)
            if (i != 1) Assert.IsTrue(float.IsFinite(values[i]), $"row {i} is {values[i]}");
        var grads = torch.autograd.grad(new[] { value.sum() }, leaves);
        var gMean = Floats(grads[0]);
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 3; j++)
                Assert.AreEqual(i == 1, float.IsNaN(gMean[i * 3 + j]), $"posterior gradient [{i}, {j}]");
        // As in the unfused computation, a NaN sample reaches every component's gradient.
        Assert.IsTrue(Floats(grads[2]).All(float.IsNaN));
    }

    [TestMethod]
    public void MonteCarlo_SecondOrderGradients_MatchTheGenericFormulation()
    {
        using var scope = torch.NewDisposeScope();
        var (mean, logVar, noise, prior) = MakeMonteCarlo(8, 2, 5, 6, seed: 31);
        Tensor[] SecondOrder(bool fused, bool withUsage)
        {
            var leaves = new[] { mean, logVar, prior.Means, prior.LogVars, prior.LogWeights }.Select(t => t.detach().requires_grad_()).ToArray();
            Tensor value;
            if (fused)
            {
                var (v, u) = FusedOps.MixtureMonteCarloLogDensity(leaves[0], leaves[1], noise, leaves[2], leaves[3], leaves[4], withUsage);
                value = withUsage ? v.sum() + u!.square().sum() : v.sum();
            }
            else
            {
                var z = (leaves[0].unsqueeze(0) + (leaves[1] * 0.5).exp().unsqueeze(0) * noise).reshape(-1, 2);
                var joint = Joint(z, leaves[2], leaves[3], leaves[4]);
                value = joint.logsumexp(1).reshape(6, 8).mean(new long[] { 0 }).sum();
                if (withUsage) value = value + joint.softmax(1).mean(new long[] { 0 }).square().sum();
            }
            var first = torch.autograd.grad(new[] { value }, leaves, retain_graph: true, create_graph: true);
            var penalty = first.Select(g => g.square().sum()).Aggregate((a, b) => a + b);
            return torch.autograd.grad(new[] { penalty }, leaves).ToArray();
        }
        foreach (bool withUsage in new[] { false, true })
        {
            var fusedGrads = SecondOrder(true, withUsage);
            var generic = SecondOrder(false, withUsage);
            for (int i = 0; i < 5; i++)
                Assert.IsLessThan(1e-3 * Math.Max(1, MaxAbs(generic[i])), MaxDifference(fusedGrads[i], generic[i]), $"second-order gradient {i} (usage: {withUsage})");
        }
    }

    [TestMethod]
    public void MonteCarlo_BadNoiseIsRefused()
    {
        using var scope = torch.NewDisposeScope();
        var m = Make(1, 2, 4, seed: 1);
        var mean = torch.randn(5, 2);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => FusedOps.MixtureMonteCarloLogDensity(mean, mean, torch.randn(10, 4, 2), m.Means, m.LogVars, m.LogWeights));
        StringAssert.Contains(ex.Message, "noise");
        Assert.ThrowsExactly<ArgumentException>(() => FusedOps.MixtureMonteCarloLogDensity(mean, mean, torch.randn(new long[] { 10, 5, 2 }, ScalarType.Float64), m.Means, m.LogVars, m.LogWeights));
        Assert.ThrowsExactly<ArgumentException>(() => FusedOps.MixtureMonteCarloLogDensity(mean, torch.randn(5, 3), torch.randn(10, 5, 2), m.Means, m.LogVars, m.LogWeights));
    }
}
