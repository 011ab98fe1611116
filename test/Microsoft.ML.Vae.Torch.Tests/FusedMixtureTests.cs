namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>
/// The fused mixture log-density kernel against the brute-force float64 computation
/// logsumexp_k(log w_k − ½ Σ_j [lv_kj + (z_nj − μ_kj)² e^{−lv_kj}]) built from generic ops, and its
/// hand-written gradients against autograd of that computation.
/// </summary>
[TestClass]
public sealed class FusedMixtureTests : TorchTestBase
{
    private sealed record Mixture(Tensor Z, Tensor Means, Tensor LogVars, Tensor LogWeights);

    private static Mixture Make(long n, long d, long k, long seed, double logVarScale = 0.5, double logVarShift = -1)
    {
        Torch.ManualSeed(seed);
        return new Mixture(
            Torch.Randn([n, d]) * 1.5,
            Torch.Randn([k, d]),
            Torch.Randn([k, d]) * logVarScale + logVarShift,
            Torch.Randn([k]).LogSoftmax(0));
    }

    /// <summary>The [N, K] joint log-probabilities by broadcasting an [N, K, d] difference, in the inputs' dtype.</summary>
    private static Tensor Joint(Tensor z, Tensor means, Tensor logVars, Tensor logWeights)
    {
        var diff = z.Unsqueeze(1) - means.Unsqueeze(0);
        return logWeights - ((diff.Square() * logVars.Neg().Exp()).Sum(2) + logVars.Sum(1)) * 0.5;
    }

    [TestMethod]
    [DataRow(1L, 1L, 1L)]
    [DataRow(3000L, 2L, 64L)]   // crosses the 1,024-row blocks; K a multiple of the vector width
    [DataRow(700L, 5L, 13L)]    // K not a multiple of the vector width (padding lanes)
    [DataRow(64L, 32L, 100L)]   // image-sized latents and components
    public void Forward_MatchesBruteForceInFloat64(long n, long d, long k)
    {
        using var scope = Torch.NewDisposeScope();
        var m = Make(n, d, k, seed: n + d + k);
        var (lse, usage) = FusedOps.MixtureLogSumExp(m.Z, m.Means, m.LogVars, m.LogWeights, withUsage: true);
        var joint = Joint(m.Z.To(DType.Float64), m.Means.To(DType.Float64), m.LogVars.To(DType.Float64), m.LogWeights.To(DType.Float64));
        TensorAssert.Shape([n], lse);
        TensorAssert.Shape([k], usage!);
        Assert.AreEqual(DType.Float32, lse.DType);
        var expected = joint.LogSumExp(1).ToArray<double>();
        var actual = lse.ToArray<float>();
        for (int i = 0; i < n; i++)
            Assert.AreEqual(expected[i], actual[i], 2e-5 * Math.Max(1, Math.Abs(expected[i])), $"row {i}");
        TensorAssert.Close(joint.Softmax(1).Mean(0), usage!.To(DType.Float64), 1e-6);
        Assert.AreEqual(1.0, usage!.Sum().Item(), 1e-5, "Mean responsibilities sum to one.");
    }

    [TestMethod]
    [DataRow(2500L, 2L, 64L, true)]
    [DataRow(300L, 3L, 10L, false)]
    [DataRow(40L, 32L, 100L, true)]
    public void Gradients_MatchAutogradOfTheBruteForceComputation(long n, long d, long k, bool withUsage)
    {
        using var scope = Torch.NewDisposeScope();
        var m = Make(n, d, k, seed: 7 * n + d);
        Torch.ManualSeed(123);
        var lseWeights = Torch.Randn([n]);
        var usageWeights = Torch.Randn([k]) * 10;

        Tensor[] Grads(Mixture x, bool fused)
        {
            var leaves = new[] { x.Z, x.Means, x.LogVars, x.LogWeights }.Select(t => t.Detach().RequiresGrad_()).ToArray();
            Tensor lse, usage;
            if (fused)
            {
                var (l, u) = FusedOps.MixtureLogSumExp(leaves[0], leaves[1], leaves[2], leaves[3], withUsage);
                lse = l;
                usage = u ?? Torch.Zeros([k]);
            }
            else
            {
                var joint = Joint(leaves[0], leaves[1], leaves[2], leaves[3]);
                lse = joint.LogSumExp(1);
                usage = withUsage ? joint.Softmax(1).Mean(0) : Torch.Zeros([k], leaves[0].DType);
            }
            var loss = (lse * lseWeights.To(lse.DType)).Sum() + (usage * usageWeights.To(usage.DType)).Sum();
            return Autograd.Grad([loss], leaves).Select(g => g!.To(DType.Float64)).ToArray();
        }

        var fusedGrads = Grads(m, fused: true);
        var reference = Grads(new Mixture(m.Z.To(DType.Float64), m.Means.To(DType.Float64), m.LogVars.To(DType.Float64), m.LogWeights.To(DType.Float64)), fused: false);
        string[] names = ["z", "means", "logVars", "logWeights"];
        for (int i = 0; i < 4; i++)
        {
            double scale = Math.Max(1, reference[i].Abs().Max().Item());
            double error = (fusedGrads[i] - reference[i]).Abs().Max().Item();
            Assert.IsLessThan(2e-4 * scale, error, $"d/d {names[i]}: max error {error:G3} at scale {scale:G3}.");
        }
    }

    [TestMethod]
    public void PartialGradients_StopGradientPriorOrDetachedLatents_MatchTheFullGradient()
    {
        using var scope = Torch.NewDisposeScope();
        var m = Make(1500, 2, 64, seed: 5);
        var z = m.Z.Detach().RequiresGrad_();
        var means = m.Means.Detach().RequiresGrad_();
        var logVars = m.LogVars.Detach().RequiresGrad_();
        var logWeights = m.LogWeights.Detach().RequiresGrad_();
        var full = Autograd.Grad([FusedOps.MixtureLogSumExp(z, means, logVars, logWeights).LogSumExp.Sum()], [z, means, logVars, logWeights]);

        // A stop-gradient prior: only the latents' gradient is computed (the component accumulators are skipped).
        var zOnly = Autograd.Grad([FusedOps.MixtureLogSumExp(z, m.Means, m.LogVars, m.LogWeights).LogSumExp.Sum()], [z]);
        TensorAssert.Close(full[0]!, zOnly[0]!, 0);
        // Detached latents: only the prior's gradients.
        var priorOnly = Autograd.Grad([FusedOps.MixtureLogSumExp(m.Z, means, logVars, logWeights).LogSumExp.Sum()], [means, logVars, logWeights]);
        for (int i = 0; i < 3; i++) TensorAssert.Close(full[i + 1]!, priorOnly[i]!, 0);
    }

    [TestMethod]
    public void Results_DoNotDependOnTheThreadCount()
    {
        using var scope = Torch.NewDisposeScope();
        var m = Make(5000, 2, 64, seed: 11);
        AssertSameOnOneAndTwoThreads(() =>
        {
            var leaves = new[] { m.Z, m.Means, m.LogVars, m.LogWeights }.Select(x => x.Detach().RequiresGrad_()).ToArray();
            var (lse, usage) = FusedOps.MixtureLogSumExp(leaves[0], leaves[1], leaves[2], leaves[3], withUsage: true);
            var grads = Autograd.Grad([lse.Sum() + usage!.Square().Sum()], leaves);
            return new[] { lse, usage }.Concat(grads.Select(g => g!)).Select(x => x.Detach().ToArray<float>()).ToArray();
        });
    }

    [TestMethod]
    public void ExtremeValues_TinyVariancesFarPointsAndZeroWeights_StayFiniteAndAccurate()
    {
        using var scope = Torch.NewDisposeScope();
        var z = Tensor.From(new float[] { 0, 0, 50, -50, 0.001f, 0.002f }, 3, 2);
        var means = Tensor.From(new float[] { 0, 0, 1, 1, -3, 2 }, 3, 2);
        var logVars = Tensor.From(new float[] { -12, -12, 0, 0, 3, -2 }, 3, 2);
        var logWeights = Tensor.From(new float[] { MathF.Log(0.5f), MathF.Log(0.5f), float.NegativeInfinity });
        var (lse, usage) = FusedOps.MixtureLogSumExp(z, means, logVars, logWeights, withUsage: true);
        var joint = Joint(z.To(DType.Float64), means.To(DType.Float64), logVars.To(DType.Float64), logWeights.To(DType.Float64));
        var expected = joint.LogSumExp(1).ToArray<double>();
        var actual = lse.ToArray<float>();
        for (int i = 0; i < 3; i++)
        {
            Assert.IsTrue(float.IsFinite(actual[i]), $"row {i} is {actual[i]}");
            Assert.AreEqual(expected[i], actual[i], 1e-5 * Math.Max(1, Math.Abs(expected[i])), $"row {i}");
        }
        Assert.AreEqual(0f, usage!.ToArray<float>()[2], 1e-30f, "A zero-weight component is never responsible.");
    }

    [TestMethod]
    public void NonFiniteLatent_GivesNaNForItsRowOnly()
    {
        using var scope = Torch.NewDisposeScope();
        var m = Make(4, 2, 9, seed: 3);
        var z = Tensor.From(new float[] { 0, 1, float.NaN, 0, 2, float.PositiveInfinity, -1, 0.5f }, 4, 2);
        var lse = FusedOps.MixtureLogSumExp(z, m.Means, m.LogVars, m.LogWeights).LogSumExp.ToArray<float>();
        Assert.IsTrue(float.IsFinite(lse[0]) && float.IsFinite(lse[3]));
        Assert.IsTrue(float.IsNaN(lse[1]) && float.IsNaN(lse[2]));
    }

    [TestMethod]
    public void BadInputs_AreRefusedWithClearMessages()
    {
        using var scope = Torch.NewDisposeScope();
        var m = Make(10, 2, 4, seed: 1);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => FusedOps.MixtureLogSumExp(m.Z.To(DType.Float64), m.Means, m.LogVars, m.LogWeights));
        StringAssert.Contains(ex.Message, "float32");
        ex = Assert.ThrowsExactly<ArgumentException>(() => FusedOps.MixtureLogSumExp(Torch.Randn([10, 3]), m.Means, m.LogVars, m.LogWeights));
        StringAssert.Contains(ex.Message, "dimension");
        ex = Assert.ThrowsExactly<ArgumentException>(() => FusedOps.MixtureLogSumExp(m.Z, m.Means, m.LogVars, Torch.Zeros([5])));
        StringAssert.Contains(ex.Message, "log-weights");
        Assert.ThrowsExactly<ArgumentNullException>(() => FusedOps.MixtureLogSumExp(m.Z, null!, m.LogVars, m.LogWeights));
        Assert.IsFalse(FusedOps.SupportsMixtureLogSumExp(m.Z.To(DType.Float64), m.Means, m.LogVars, m.LogWeights));
        Assert.IsTrue(FusedOps.SupportsMixtureLogSumExp(m.Z, m.Means, m.LogVars, m.LogWeights));
    }

    [TestMethod]
    public void SecondOrderGradients_AreRefusedRatherThanSilentlyZero()
    {
        using var scope = Torch.NewDisposeScope();
        var m = Make(10, 2, 4, seed: 2);
        var z = m.Z.Detach().RequiresGrad_();
        var lse = FusedOps.MixtureLogSumExp(z, m.Means, m.LogVars, m.LogWeights).LogSumExp;
        var ex = Assert.Throws<Exception>(() => Autograd.Grad([lse.Sum()], [z], createGraph: true));
        StringAssert.Contains(ex.Message, "higher-order");
    }

    [TestMethod]
    [DataRow(false, true, 3L)]
    [DataRow(true, false, 3L)]
    [DataRow(false, false, 3L)]     // the single-pass op (no usage output): gradients come out of the forward pass
    [DataRow(false, false, 2L)]     // 2-D: four samples per sweep, and M = 50 leaves two for the single-row sweep
    [DataRow(true, true, 2L)]
    public void MonteCarlo_MatchesExplicitSamplesThroughTheRowKernel(bool sharedNoise, bool withUsage, long d)
    {
        using var scope = Torch.NewDisposeScope();
        const long b = 37, k = 11, m = 50;
        var prior = Make(1, d, k, seed: 17);
        Torch.ManualSeed(4);
        var postMean = Torch.Randn([b, d]);
        var postLogVar = Torch.Randn([b, d]) * 0.3 - 1;
        var noise = Torch.Randn([m, sharedNoise ? 1 : b, d]);
        var usageWeights = Torch.Randn([k]);
        var rowWeights = Torch.Randn([b]);

        float[][] Run(bool fused)
        {
            var leaves = new[] { postMean, postLogVar, prior.Means, prior.LogVars, prior.LogWeights }.Select(t => t.Detach().RequiresGrad_()).ToArray();
            Tensor meanLse;
            Tensor? usage;
            if (fused)
            {
                (meanLse, usage) = FusedOps.MixtureMonteCarloLogDensity(leaves[0], leaves[1], noise, leaves[2], leaves[3], leaves[4], withUsage);
            }
            else
            {
                var z = (leaves[0].Unsqueeze(0) + (leaves[1] * 0.5).Exp().Unsqueeze(0) * noise).Reshape(m * b, d);
                var (lse, u) = FusedOps.MixtureLogSumExp(z, leaves[2], leaves[3], leaves[4], withUsage);
                meanLse = lse.Reshape(m, b).Mean(0);
                usage = u;
            }
            var loss = (meanLse * rowWeights).Sum();
            if (usage is not null) loss = loss + (usage * usageWeights).Sum();
            var grads = Autograd.Grad([loss], leaves);
            var outputs = new List<Tensor> { meanLse.Detach() };
            if (usage is not null) outputs.Add(usage.Detach());
            return outputs.Concat(grads.Select(g => g!)).Select(t => t.ToArray<float>()).ToArray();
        }

        var fusedResults = Run(true);
        var composed = Run(false);
        Assert.HasCount(composed.Length, fusedResults);
        for (int i = 0; i < composed.Length; i++)
            for (int j = 0; j < composed[i].Length; j++)
                Assert.AreEqual(composed[i][j], fusedResults[i][j], 2e-5 * Math.Max(1, Math.Abs(composed[i][j])), $"output {i}[{j}]");
    }

    /// <summary>Posteriors [b, d], their noise [m, b, d] and a mixture of k components.</summary>
    private static (Tensor Mean, Tensor LogVar, Tensor Noise, Mixture Prior) MakeMonteCarlo(long b, long d, long k, long m, long seed)
    {
        var prior = Make(1, d, k, seed);
        return (Torch.Randn([b, d]), Torch.Randn([b, d]) * 0.3 - 1, Torch.Randn([m, b, d]), prior);
    }

    [TestMethod]
    public void MonteCarlo_PartialGradients_MatchTheFullGradient()
    {
        // The single-pass op keeps only the gradients the graph will ask for: the posterior's (a
        // stop-gradient prior, as in the encoder and decoder KLs), the prior's (a detached posterior, as in
        // the prior's own KL), both, or none (no graph).
        using var scope = Torch.NewDisposeScope();
        var (mean, logVar, noise, prior) = MakeMonteCarlo(300, 2, 64, 100, seed: 21);
        var rowWeights = Torch.Randn([300]);
        var leaves = new[] { mean, logVar, prior.Means, prior.LogVars, prior.LogWeights }.Select(t => t.Detach().RequiresGrad_()).ToArray();
        Tensor Loss(Tensor[] x) => (FusedOps.MixtureMonteCarloLogDensity(x[0], x[1], noise, x[2], x[3], x[4]).MeanLogDensity * rowWeights).Sum();
        var full = Autograd.Grad([Loss(leaves)], leaves);

        var postOnly = Autograd.Grad([Loss([leaves[0], leaves[1], prior.Means, prior.LogVars, prior.LogWeights])], [leaves[0], leaves[1]]);
        // (The partial sweeps sum in another order — per row total once at the end, four rows per block —
        // so they agree to float rounding.)
        for (int i = 0; i < 2; i++) TensorAssert.Close(full[i]!, postOnly[i]!, 1e-6);
        var priorOnly = Autograd.Grad([Loss([mean, logVar, leaves[2], leaves[3], leaves[4]])], [leaves[2], leaves[3], leaves[4]]);
        for (int i = 0; i < 3; i++) TensorAssert.Close(full[i + 2]!, priorOnly[i]!, 1e-5 * Math.Max(1, full[i + 2]!.Abs().Max().Item()));

        Tensor valueWithGraph = FusedOps.MixtureMonteCarloLogDensity(leaves[0], leaves[1], noise, leaves[2], leaves[3], leaves[4]).MeanLogDensity;
        Tensor valueNoGraph;
        using (Torch.NoGrad()) valueNoGraph = FusedOps.MixtureMonteCarloLogDensity(leaves[0], leaves[1], noise, leaves[2], leaves[3], leaves[4]).MeanLogDensity;
        Assert.IsFalse(valueNoGraph.RequiresGrad);
        TensorAssert.Close(valueWithGraph.Detach(), valueNoGraph, 0);
    }

    [TestMethod]
    public void MonteCarlo_SinglePass_DoesNotDependOnTheThreadCount()
    {
        using var scope = Torch.NewDisposeScope();
        var (mean, logVar, noise, prior) = MakeMonteCarlo(512, 2, 64, 100, seed: 8);
        var rowWeights = Torch.Randn([512]);
        AssertSameOnOneAndTwoThreads(() =>
        {
            var leaves = new[] { mean, logVar, prior.Means, prior.LogVars, prior.LogWeights }.Select(x => x.Detach().RequiresGrad_()).ToArray();
            var value = FusedOps.MixtureMonteCarloLogDensity(leaves[0], leaves[1], noise, leaves[2], leaves[3], leaves[4]).MeanLogDensity;
            var grads = Autograd.Grad([(value * rowWeights).Sum()], leaves);
            return new[] { value.Detach() }.Concat(grads.Select(g => g!)).Select(x => x.ToArray<float>()).ToArray();
        });
    }

    [TestMethod]
    public void MonteCarlo_NonFinitePosterior_GivesNaNForItsRowAndThePriorGradients()
    {
        using var scope = Torch.NewDisposeScope();
        var (mean, logVar, noise, prior) = MakeMonteCarlo(6, 3, 10, 20, seed: 2);
        var meanValues = mean.ToArray<float>();
        meanValues[1 * 3 + 2] = float.NaN;
        var leaves = new[] { Tensor.From(meanValues, 6, 3), logVar, prior.Means }.Select(t => t.Detach().RequiresGrad_()).ToArray();
        var value = FusedOps.MixtureMonteCarloLogDensity(leaves[0], leaves[1], noise, leaves[2], prior.LogVars, prior.LogWeights).MeanLogDensity;
        var values = value.Detach().ToArray<float>();
        Assert.IsTrue(float.IsNaN(values[1]), "the NaN posterior's own value");
        for (int i = 0; i < 6; i++)
            if (i != 1) Assert.IsTrue(float.IsFinite(values[i]), $"row {i} is {values[i]}");
        var grads = Autograd.Grad([value.Sum()], leaves);
        var gMean = grads[0]!.ToArray<float>();
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 3; j++)
                Assert.AreEqual(i == 1, float.IsNaN(gMean[i * 3 + j]), $"posterior gradient [{i}, {j}]");
        // As in the unfused computation, a NaN sample reaches every component's gradient.
        Assert.IsTrue(grads[2]!.ToArray<float>().All(float.IsNaN));
    }

    [TestMethod]
    public void MonteCarlo_BadNoiseIsRefused()
    {
        using var scope = Torch.NewDisposeScope();
        var m = Make(1, 2, 4, seed: 1);
        var mean = Torch.Randn([5, 2]);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => FusedOps.MixtureMonteCarloLogDensity(mean, mean, Torch.Randn([10, 4, 2]), m.Means, m.LogVars, m.LogWeights));
        StringAssert.Contains(ex.Message, "noise");
        Assert.ThrowsExactly<ArgumentException>(() => FusedOps.MixtureMonteCarloLogDensity(mean, mean, Torch.Randn([10, 5, 2], DType.Float64), m.Means, m.LogVars, m.LogWeights));
        Assert.ThrowsExactly<ArgumentException>(() => FusedOps.MixtureMonteCarloLogDensity(mean, Torch.Randn([5, 3]), Torch.Randn([10, 5, 2]), m.Means, m.LogVars, m.LogWeights));
    }
}
