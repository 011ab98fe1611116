using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

[TestClass]
public sealed class MixturePriorTests
{
    private static readonly double[] PostMeans = [0.3, -1.2, 0.5, 2.0, 0.1, -0.4];
    private static readonly double[] PostLogVars = [-0.5, 0.7, 0.0, -2.0, 1.1, 0.2];

    private static MixturePriorParameters Params(double[] means, double[] logVars, double[] weights, int k, int d) => new(
        Tensor.From(means, k, d), Tensor.From(logVars, k, d), Tensor.From(weights.Select(w => Math.Log(w)).ToArray(), k));

    [TestMethod]
    public void OneStandardComponentMatchesTheClosedFormKl()
    {
        Torch.ManualSeed(11);
        using var scope = Torch.NewDisposeScope();
        var mean = Tensor.From(PostMeans, 2, 3);
        var logVar = Tensor.From(PostLogVars, 2, 3);
        var standard = Params([0, 0, 0], [0, 0, 0], [1], 1, 3);
        const int samples = 40_000;
        var noise = MixturePriorKl.DrawNoise(mean, samples);
        var mixture = MixturePriorKl.Estimate(mean, logVar, standard, noise).PerSample.ToArray<double>();
        var nullPrior = MixturePriorKl.Estimate(mean, logVar, null, noise).PerSample.ToArray<double>();
        var closed = Kl.StandardNormal(mean, logVar).ToArray<double>();
        for (int b = 0; b < 2; b++)
        {
            // The per-sample terms have standard deviation of order 2 here, so 40k samples give ~0.01.
            Assert.AreEqual(closed[b], mixture[b], 0.05, $"row {b}");
            Assert.AreEqual(mixture[b], nullPrior[b], 1e-9, "an explicit N(0, I) component equals the null (standard) prior");
        }
    }

    [TestMethod]
    public void MonteCarloKlIsExactForEqualDistributionsAndMatchesABruteForceLoop()
    {
        using var scope = Torch.NewDisposeScope();
        // q equal to a single-component prior: log q − log p vanishes sample by sample.
        var mean = Tensor.From(new double[] { 0.4, -0.7 }, 1, 2);
        var logVar = Tensor.From(new double[] { -0.3, 0.5 }, 1, 2);
        var same = new MixturePriorParameters(mean.Clone(), logVar.Clone(), Tensor.From(new double[] { 0.0 }));
        var noise = Torch.Randn([7, 1, 2], DType.Float64);
        Assert.AreEqual(0, MixturePriorKl.Estimate(mean, logVar, same, noise).PerSample.Item(), 1e-12);

        // Two components: compare with System.Math sample by sample.
        double[] mu = [0.5, -1.0, -0.2, 0.8], lv = [0.1, -0.4, 0.6, 0.0], w = [0.3, 0.7];
        var prior = Params(mu, lv, w, 2, 2);
        var eps = noise.ToArray<double>();
        double expected = 0;
        for (int m = 0; m < 7; m++)
        {
            double[] z = new double[2];
            double logQ = 0;
            for (int j = 0; j < 2; j++)
            {
                double e = eps[m * 2 + j];
                double l = j == 0 ? -0.3 : 0.5;
                z[j] = (j == 0 ? 0.4 : -0.7) + Math.Exp(0.5 * l) * e;
                logQ += -0.5 * (l + e * e);
            }
            double p = 0;
            for (int k = 0; k < 2; k++)
            {
                double logN = 0;
                for (int j = 0; j < 2; j++) logN += -0.5 * (lv[k * 2 + j] + Math.Pow(z[j] - mu[k * 2 + j], 2) * Math.Exp(-lv[k * 2 + j]));
                p += w[k] * Math.Exp(logN);
            }
            expected += (logQ - Math.Log(p)) / 7;
        }
        Assert.AreEqual(expected, MixturePriorKl.Estimate(mean, logVar, prior, noise).PerSample.Item(), 1e-10);
    }

    [TestMethod]
    public void ComponentLogDensitiesMatchABruteForceLoop()
    {
        Torch.ManualSeed(5);
        using var scope = Torch.NewDisposeScope();
        const int n = 6, k = 4, d = 3;
        var z = Torch.Randn([n, d], DType.Float64) * 2.0;
        var means = Torch.Randn([k, d], DType.Float64);
        var logVars = Torch.Randn([k, d], DType.Float64) * 0.5;
        var weights = Tensor.From(new double[] { 0.1, 0.2, 0.3, 0.4 }).Log();
        var p = new MixturePriorParameters(means, logVars, weights);
        var got = MixturePriorDensity.ComponentLogDensities(z, p, includeConstant: true).ToArray<double>();
        var density = MixturePriorDensity.LogDensity(z, p).ToArray<double>();
        var resp = MixturePriorDensity.Responsibilities(z, p).ToArray<double>();
        double[] zs = z.ToArray<double>(), ms = means.ToArray<double>(), ls = logVars.ToArray<double>();
        double[] ws = [0.1, 0.2, 0.3, 0.4];
        for (int i = 0; i < n; i++)
        {
            double total = 0;
            var joint = new double[k];
            for (int c = 0; c < k; c++)
            {
                double logN = 0;
                for (int j = 0; j < d; j++)
                {
                    double v = Math.Exp(ls[c * d + j]);
                    logN += -0.5 * Math.Log(2 * Math.PI * v) - Math.Pow(zs[i * d + j] - ms[c * d + j], 2) / (2 * v);
                }
                Assert.AreEqual(logN, got[i * k + c], 1e-9, $"({i}, {c})");
                joint[c] = ws[c] * Math.Exp(logN);
                total += joint[c];
            }
            Assert.AreEqual(Math.Log(total), density[i], 1e-9);
            for (int c = 0; c < k; c++) Assert.AreEqual(joint[c] / total, resp[i * k + c], 1e-9);
        }
    }

    [TestMethod]
    public void FusedKernelAndGenericFormulationGiveTheSameKlUsageDensityAndGradients()
    {
        using var prior = new MixturePrior(64, 2, learnableWeights: true);
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(21);
        var mean = (Torch.Randn([300, 2]) * 0.5).RequiresGrad_();
        var logVar = (Torch.Randn([300, 2]) * 0.2 - 2).RequiresGrad_();
        var noise = MixturePriorKl.DrawNoise(mean, 100);
        var leaves = new[] { mean, logVar }.Concat(prior.Parameters()).ToList();

        Tensor[] Run(bool fused)
        {
            bool saved = MixturePriorDensity.UseFusedKernel;
            MixturePriorDensity.UseFusedKernel = fused;
            try
            {
                var parameters = prior.CurrentParameters();
                var estimate = MixturePriorKl.Estimate(mean, logVar, parameters, noise, withUsage: true);
                var loss = estimate.PerSample.Mean() + Responsibility.NormalizedNegativeEntropy(estimate.MeanUsage!);
                var grads = Autograd.Grad([loss], leaves);
                var density = MixturePriorDensity.LogDensity(mean.Detach(), parameters);
                return new[] { estimate.PerSample.Detach(), estimate.MeanUsage!.Detach(), density }.Concat(grads.Select(g => g!)).ToArray();
            }
            finally
            {
                MixturePriorDensity.UseFusedKernel = saved;
            }
        }

        var fusedResults = Run(true);
        var generic = Run(false);
        for (int i = 0; i < generic.Length; i++)
        {
            double scale = Math.Max(1, generic[i].Abs().Max().Item());
            double error = (fusedResults[i] - generic[i]).Abs().Max().Item();
            Assert.IsLessThan(1e-4 * scale, error, $"result {i}: max difference {error:G3} at scale {scale:G3}");
        }
    }

    [TestMethod]
    public void MixtureKlGradientReachesThePriorAndUsageSumsToOne()
    {
        using var prior = new MixturePrior(3, 2, learnableWeights: true);
        using var scope = Torch.NewDisposeScope();
        var mean = Torch.Randn([5, 2]);
        var logVar = Torch.Randn([5, 2]) * 0.1;
        var estimate = MixturePriorKl.Estimate(mean, logVar, prior.CurrentParameters(), MixturePriorKl.DrawNoise(mean, 10), withUsage: true);
        Assert.AreEqual(1.0, estimate.MeanUsage!.Sum().Item(), 1e-5);
        estimate.PerSample.Sum().Backward();
        foreach (var (name, p) in prior.NamedParameters())
        {
            using var g = p.Grad;
            Assert.IsNotNull(g, name);
            Assert.IsTrue(g.Abs().Sum().Item() > 0, name);
        }
        prior.ZeroGrad();
    }

    [TestMethod]
    public void MixtureLogProbIntegratesToOne()
    {
        using var prior = new MixturePrior(3, 1, learnableWeights: true);
        using var scope = Torch.NewDisposeScope();
        prior.SetComponents(Tensor.From(new float[] { -2, 0.5f, 3 }, 3, 1), Tensor.From(new float[] { -1, 0.3f, 0 }, 3, 1), Tensor.From(new float[] { 0.2f, -1, 1 }));
        var grid = Torch.Linspace(-15, 15, 30_001, DType.Float32).Unsqueeze(1);
        double integral = prior.LogProb(grid).To(DType.Float64).Exp().Sum().Item() * 0.001;
        Assert.AreEqual(1.0, integral, 1e-3);
        var samples = prior.Sample(4000);
        CollectionAssert.AreEqual(new long[] { 4000, 1 }, samples.Shape);
    }

    [TestMethod]
    public void VarianceClippingLeavesTheMiddleAloneAndPullsOutliersToTheBounds()
    {
        using var scope = Torch.NewDisposeScope();
        var lower = Tensor.From(new double[] { -2.0, 0.0 });
        var upper = Tensor.From(new double[] { 2.0, 0.0 });
        var inside = Tensor.From(new double[] { 0.0, 0.0, 0.5, 0.0 }, 2, 2);
        var clipped = VarianceClipping.SmoothClamp(inside, lower, upper).ToArray<double>();
        // β = 10/4: at the centre both softplus terms are log(1 + e^{−5})/β ≈ 0.0027 and cancel.
        Assert.AreEqual(0.0, clipped[0], 1e-9);
        Assert.AreEqual(0.5, clipped[2], 0.01);
        // Equal bounds give the bound itself.
        Assert.AreEqual(0.0, clipped[1], 0);
        Assert.AreEqual(0.0, clipped[3], 0);

        var values = Torch.Linspace(-30, 30, 601, DType.Float64).Unsqueeze(1).Expand(601, 2).Contiguous();
        var outs = VarianceClipping.SmoothClamp(values, lower, upper).Select(1, 0).ToArray<double>();
        var xs = values.Select(1, 0).ToArray<double>();
        for (int i = 0; i < xs.Length; i++)
        {
            if (xs[i] > 8) Assert.AreEqual(2.0, outs[i], 1e-6, $"far above at {xs[i]}");
            if (xs[i] < -8) Assert.AreEqual(-2.0, outs[i], 1e-6, $"far below at {xs[i]}");
            Assert.IsTrue(outs[i] >= -2.0 - 1e-9 && outs[i] <= 2.0 + 1e-9, $"within bounds at {xs[i]}: {outs[i]}");
            if (i > 0) Assert.IsTrue(outs[i] >= outs[i - 1] - 1e-12, "monotone");
            if (i > 0) Assert.IsTrue(Math.Abs(outs[i] - outs[i - 1]) <= (xs[i] - xs[i - 1]) + 1e-9, "smooth (1-Lipschitz)");
        }

        // On a bound the derivative is 1 − σ(0) − σ(−β(u − l)) = ½ − σ(−10), the logistic slope of the
        // reference softplus (a max/abs formulation would give 0 or 1 there).
        var onBound = Tensor.From(new double[] { 2.0, 0.0 }, 1, 2).RequiresGrad_();
        VarianceClipping.SmoothClamp(onBound, lower, upper).Select(1, 0).Sum().Backward();
        using (var g = onBound.Grad!)
            Assert.AreEqual(0.5 - 1 / (1 + Math.Exp(10 * 4 / (4 + 1e-8))), g.ToArray<double>()[0], 1e-12);

        // Gradients stay finite even far beyond the softplus threshold.
        var extreme = Tensor.From(new double[] { 1e4, -1e4 }, 1, 2).RequiresGrad_();
        VarianceClipping.SmoothClamp(extreme, Tensor.From(new double[] { -1.0, -1.0 }), Tensor.From(new double[] { 1.0, 1.0 })).Sum().Backward();
        using var grad = extreme.Grad!;
        Assert.IsTrue(grad.AllFinite());
    }

    [TestMethod]
    public void FrozenClipBoundsAreTheComponentExtremes()
    {
        using var prior = new MixturePrior(3, 2);
        using var scope = Torch.NewDisposeScope();
        prior.SetComponents(Torch.Zeros([3, 2]), Tensor.From(new float[] { -1, 2, 0, 5, 3, -4 }, 3, 2));
        Assert.IsFalse(prior.ClipEnabled);
        prior.FreezeClipBounds();
        Assert.IsTrue(prior.ClipEnabled);
        CollectionAssert.AreEqual(new float[] { -1, -4 }, prior.ClipLower.ToArray<float>());
        CollectionAssert.AreEqual(new float[] { 3, 5 }, prior.ClipUpper.ToArray<float>());
        // Moving a variance far outside is undone by the smooth clamp on every read.
        prior.SetComponents(Torch.Zeros([3, 2]), Tensor.From(new float[] { -50, 2, 0, 5, 3, 40 }, 3, 2));
        var lv = prior.CurrentParameters().LogVars.ToArray<float>();
        Assert.AreEqual(-1f, lv[0], 1e-4f);
        Assert.AreEqual(5f, lv[5], 1e-4f);
    }

    [TestMethod]
    [DataRow(3)]
    [DataRow(10)]
    public void UniformUsageGivesMinusOneAndOneHotGivesZero(int k)
    {
        using var scope = Torch.NewDisposeScope();
        var uniform = Torch.Full([k], 1.0 / k, DType.Float64);
        Assert.AreEqual(-1.0, Responsibility.NormalizedNegativeEntropy(uniform).Item(), 1e-6);
        var oneHot = Torch.Zeros([k], DType.Float64);
        oneHot.Select(0, 1).Fill_(1);
        Assert.AreEqual(0.0, Responsibility.NormalizedNegativeEntropy(oneHot).Item(), 1e-6);
    }

    [TestMethod]
    public void TwoComponentsAreNotNormalized()
    {
        using var scope = Torch.NewDisposeScope();
        // log 2 < 1, so the reference leaves the negative entropy unnormalized: −log 2.
        Assert.AreEqual(-Math.Log(2), Responsibility.NormalizedNegativeEntropy(Torch.Full([2], 0.5, DType.Float64)).Item(), 1e-6);
        Assert.ThrowsExactly<ArgumentException>(() => Responsibility.NormalizedNegativeEntropy(Torch.Zeros([2, 2])));
    }

    [TestMethod]
    public void VampPseudoInputsComeFromDataAndEncodeToComponents()
    {
        using var vamp = new VampPrior(3, [1, 2, 2], clampToUnitInterval: true);
        using var encoder = new SplitGaussianEncoder(new Mlp(4, [8], 4), 2);
        using var scope = Torch.NewDisposeScope();
        var data = Tensor.From(new float[] { 0.1f, 0.2f, 0.3f, 0.4f, 2f, -1f, 0.5f, 0.5f, 0, 1, 0, 1, 9, 9, 9, 9 }, 4, 1, 2, 2);
        vamp.InitializeFromData(data);
        var u = vamp.PseudoInputs();
        CollectionAssert.AreEqual(new long[] { 3, 1, 2, 2 }, u.Shape);
        // Hardtanh(0, 1) maps 2 → 1 and −1 → 0 for images.
        CollectionAssert.AreEqual(new float[] { 0.1f, 0.2f, 0.3f, 0.4f, 1f, 0f, 0.5f, 0.5f, 0, 1, 0, 1 }, u.ToArray<float>());
        var (means, logVars) = vamp.EncodeComponents(encoder);
        CollectionAssert.AreEqual(new long[] { 3, 2 }, means.Shape);
        CollectionAssert.AreEqual(new long[] { 3, 2 }, logVars.Shape);
        Assert.ThrowsExactly<ArgumentException>(() => vamp.InitializeFromData(data.Narrow(0, 0, 2)));
    }
}
