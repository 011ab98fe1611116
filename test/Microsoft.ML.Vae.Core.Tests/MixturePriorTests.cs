using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static Microsoft.ML.Vae.Core.Tests.KernelsTestSupport;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class MixturePriorTests
{
    private static readonly double[] PostMeans = [0.3, -1.2, 0.5, 2.0, 0.1, -0.4];
    private static readonly double[] PostLogVars = [-0.5, 0.7, 0.0, -2.0, 1.1, 0.2];

    private static MixturePriorParameters Params(double[] means, double[] logVars, double[] weights, int k, int d) => new(
        torch.tensor(means, new long[] { k, d }), torch.tensor(logVars, new long[] { k, d }), torch.tensor(weights.Select(w => Math.Log(w)).ToArray(), new long[] { k }));

    [TestMethod]
    public void OneStandardComponentMatchesTheClosedFormKl()
    {
        torch.manual_seed(11);
        using var scope = torch.NewDisposeScope();
        var mean = torch.tensor(PostMeans, new long[] { 2, 3 });
        var logVar = torch.tensor(PostLogVars, new long[] { 2, 3 });
        var standard = Params([0, 0, 0], [0, 0, 0], [1], 1, 3);
        const int samples = 40_000;
        var noise = MixturePriorKl.DrawNoise(mean, samples);
        var mixture = Values(MixturePriorKl.Estimate(mean, logVar, standard, noise).PerSample);
        var nullPrior = Values(MixturePriorKl.Estimate(mean, logVar, null, noise).PerSample);
        var closed = Values(Kl.StandardNormal(mean, logVar));
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
        using var scope = torch.NewDisposeScope();
        // q equal to a single-component prior: log q − log p vanishes sample by sample.
        var mean = torch.tensor(new double[] { 0.4, -0.7 }, new long[] { 1, 2 });
        var logVar = torch.tensor(new double[] { -0.3, 0.5 }, new long[] { 1, 2 });
        var same = new MixturePriorParameters(mean.clone(), logVar.clone(), torch.tensor(new double[] { 0.0 }));
        var noise = torch.randn(new long[] { 7, 1, 2 }, ScalarType.Float64);
        Assert.AreEqual(0, MixturePriorKl.Estimate(mean, logVar, same, noise).PerSample.ItemAsDouble(), 1e-12);

        // Two components: compare with System.Math sample by sample.
        double[] mu = [0.5, -1.0, -0.2, 0.8], lv = [0.1, -0.4, 0.6, 0.0], w = [0.3, 0.7];
        var prior = Params(mu, lv, w, 2, 2);
        var eps = Values(noise);
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
        Assert.AreEqual(expected, MixturePriorKl.Estimate(mean, logVar, prior, noise).PerSample.ItemAsDouble(), 1e-10);
    }

    [TestMethod]
    public void ComponentLogDensitiesMatchABruteForceLoop()
    {
        torch.manual_seed(5);
        using var scope = torch.NewDisposeScope();
        const int n = 6, k = 4, d = 3;
        var z = torch.randn(new long[] { n, d }, ScalarType.Float64) * 2.0;
        var means = torch.randn(new long[] { k, d }, ScalarType.Float64);
        var logVars = torch.randn(new long[] { k, d }, ScalarType.Float64) * 0.5;
        var weights = torch.tensor(new double[] { 0.1, 0.2, 0.3, 0.4 }).log();
        var p = new MixturePriorParameters(means, logVars, weights);
        var got = Values(MixturePriorDensity.ComponentLogDensities(z, p, includeConstant: true));
        var density = Values(MixturePriorDensity.LogDensity(z, p));
        var resp = Values(MixturePriorDensity.Responsibilities(z, p));
        double[] zs = Values(z), ms = Values(means), ls = Values(logVars);
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
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(21);
        var mean = (torch.randn(300, 2) * 0.5).requires_grad_();
        var logVar = (torch.randn(300, 2) * 0.2 - 2).requires_grad_();
        var noise = MixturePriorKl.DrawNoise(mean, 100);
        var leaves = new[] { mean, logVar }.Concat(prior.parameters()).ToList();

        Tensor[] Run(bool fused)
        {
            bool saved = MixturePriorDensity.UseFusedKernel;
            MixturePriorDensity.UseFusedKernel = fused;
            try
            {
                var parameters = prior.CurrentParameters();
                var estimate = MixturePriorKl.Estimate(mean, logVar, parameters, noise, withUsage: true);
                var loss = estimate.PerSample.mean() + Responsibility.NormalizedNegativeEntropy(estimate.MeanUsage!);
                var grads = torch.autograd.grad(new[] { loss }, leaves);
                var density = MixturePriorDensity.LogDensity(mean.detach(), parameters);
                return new[] { estimate.PerSample.detach(), estimate.MeanUsage!.detach(), density }.Concat(grads).ToArray();
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
            double scale = Math.Max(1, MaxAbs(generic[i]));
            double error = MaxDifference(fusedResults[i], generic[i]);
            Assert.IsLessThan(1e-4 * scale, error, $"result {i}: max difference {error:G3} at scale {scale:G3}");
        }
    }

    [TestMethod]
    public void MixtureKlGradientReachesThePriorAndUsageSumsToOne()
    {
        using var prior = new MixturePrior(3, 2, learnableWeights: true);
        using var scope = torch.NewDisposeScope();
        var mean = torch.randn(5, 2);
        var logVar = torch.randn(5, 2) * 0.1;
        var estimate = MixturePriorKl.Estimate(mean, logVar, prior.CurrentParameters(), MixturePriorKl.DrawNoise(mean, 10), withUsage: true);
        Assert.AreEqual(1.0, estimate.MeanUsage!.sum().ItemAsDouble(), 1e-5);
        estimate.PerSample.sum().backward();
        foreach (var (name, p) in prior.named_parameters())
        {
            using var g = p.grad;
            Assert.IsNotNull(g, name);
            Assert.IsTrue(g.abs().sum().ItemAsDouble() > 0, name);
        }
        prior.zero_grad();
    }

    [TestMethod]
    public void MixtureLogProbIntegratesToOne()
    {
        using var prior = new MixturePrior(3, 1, learnableWeights: true);
        using var scope = torch.NewDisposeScope();
        prior.SetComponents(torch.tensor(new float[] { -2, 0.5f, 3 }, new long[] { 3, 1 }), torch.tensor(new float[] { -1, 0.3f, 0 }, new long[] { 3, 1 }), torch.tensor(new float[] { 0.2f, -1, 1 }));
        var grid = torch.linspace(-15, 15, 30_001, ScalarType.Float32).unsqueeze(1);
        double integral = prior.LogProb(grid).to_type(ScalarType.Float64).exp().sum().ItemAsDouble() * 0.001;
        Assert.AreEqual(1.0, integral, 1e-3);
        var samples = prior.Sample(4000);
        CollectionAssert.AreEqual(new long[] { 4000, 1 }, samples.shape);
    }

    [TestMethod]
    public void VarianceClippingLeavesTheMiddleAloneAndPullsOutliersToTheBounds()
    {
        using var scope = torch.NewDisposeScope();
        var lower = torch.tensor(new double[] { -2.0, 0.0 });
        var upper = torch.tensor(new double[] { 2.0, 0.0 });
        var inside = torch.tensor(new double[] { 0.0, 0.0, 0.5, 0.0 }, new long[] { 2, 2 });
        var clipped = Values(VarianceClipping.SmoothClamp(inside, lower, upper));
        // β = 10/4: at the centre both softplus terms are log(1 + e^{−5})/β ≈ 0.0027 and cancel.
        Assert.AreEqual(0.0, clipped[0], 1e-9);
        Assert.AreEqual(0.5, clipped[2], 0.01);
        // Equal bounds give the bound itself.
        Assert.AreEqual(0.0, clipped[1], 0);
        Assert.AreEqual(0.0, clipped[3], 0);

        var values = torch.linspace(-30, 30, 601, ScalarType.Float64).unsqueeze(1).expand(601, 2).contiguous();
        var outs = Values(VarianceClipping.SmoothClamp(values, lower, upper).select(1, 0));
        var xs = Values(values.select(1, 0));
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
        var onBound = torch.tensor(new double[] { 2.0, 0.0 }, new long[] { 1, 2 }).requires_grad_();
        VarianceClipping.SmoothClamp(onBound, lower, upper).select(1, 0).sum().backward();
        using (var g = onBound.grad!)
            Assert.AreEqual(0.5 - 1 / (1 + Math.Exp(10 * 4 / (4 + 1e-8))), Values(g)[0], 1e-12);

        // Gradients stay finite even far beyond the softplus threshold.
        var extreme = torch.tensor(new double[] { 1e4, -1e4 }, new long[] { 1, 2 }).requires_grad_();
        VarianceClipping.SmoothClamp(extreme, torch.tensor(new double[] { -1.0, -1.0 }), torch.tensor(new double[] { 1.0, 1.0 })).sum().backward();
        using var grad = extreme.grad!;
        Assert.IsTrue(grad.AllFinite());
    }

    [TestMethod]
    public void FrozenClipBoundsAreTheComponentExtremes()
    {
        using var prior = new MixturePrior(3, 2);
        using var scope = torch.NewDisposeScope();
        prior.SetComponents(torch.zeros(3, 2), torch.tensor(new float[] { -1, 2, 0, 5, 3, -4 }, new long[] { 3, 2 }));
        Assert.IsFalse(prior.ClipEnabled);
        prior.FreezeClipBounds();
        Assert.IsTrue(prior.ClipEnabled);
        CollectionAssert.AreEqual(new float[] { -1, -4 }, Floats(prior.ClipLower));
        CollectionAssert.AreEqual(new float[] { 3, 5 }, Floats(prior.ClipUpper));
        // Moving a variance far outside is undone by the smooth clamp on every read.
        prior.SetComponents(torch.zeros(3, 2), torch.tensor(new float[] { -50, 2, 0, 5, 3, 40 }, new long[] { 3, 2 }));
        var lv = Floats(prior.CurrentParameters().LogVars);
        Assert.AreEqual(-1f, lv[0], 1e-4f);
        Assert.AreEqual(5f, lv[5], 1e-4f);
    }

    [TestMethod]
    [DataRow(3)]
    [DataRow(10)]
    public void UniformUsageGivesMinusOneAndOneHotGivesZero(int k)
    {
        using var scope = torch.NewDisposeScope();
        var uniform = torch.full(new long[] { k }, 1.0 / k, ScalarType.Float64);
        Assert.AreEqual(-1.0, Responsibility.NormalizedNegativeEntropy(uniform).ItemAsDouble(), 1e-6);
        var oneHot = torch.zeros(new long[] { k }, ScalarType.Float64);
        oneHot.select(0, 1).fill_(1);
        Assert.AreEqual(0.0, Responsibility.NormalizedNegativeEntropy(oneHot).ItemAsDouble(), 1e-6);
    }

    [TestMethod]
    public void TwoComponentsAreNotNormalized()
    {
        using var scope = torch.NewDisposeScope();
        // log 2 < 1, so the reference leaves the negative entropy unnormalized: −log 2.
        Assert.AreEqual(-Math.Log(2), Responsibility.NormalizedNegativeEntropy(torch.full(new long[] { 2 }, 0.5, ScalarType.Float64)).ItemAsDouble(), 1e-6);
        Assert.ThrowsExactly<ArgumentException>(() => Responsibility.NormalizedNegativeEntropy(torch.zeros(2, 2)));
    }

    [TestMethod]
    public void VampPseudoInputsComeFromDataAndEncodeToComponents()
    {
        using var vamp = new VampPrior(3, [1, 2, 2], clampToUnitInterval: true);
        using var encoder = new SplitGaussianEncoder(new Mlp(4, [8], 4), 2);
        using var scope = torch.NewDisposeScope();
        var data = torch.tensor(new float[] { 0.1f, 0.2f, 0.3f, 0.4f, 2f, -1f, 0.5f, 0.5f, 0, 1, 0, 1, 9, 9, 9, 9 }, new long[] { 4, 1, 2, 2 });
        vamp.InitializeFromData(data);
        var u = vamp.PseudoInputs();
        CollectionAssert.AreEqual(new long[] { 3, 1, 2, 2 }, u.shape);
        // Hardtanh(0, 1) maps 2 → 1 and −1 → 0 for images.
        CollectionAssert.AreEqual(new float[] { 0.1f, 0.2f, 0.3f, 0.4f, 1f, 0f, 0.5f, 0.5f, 0, 1, 0, 1 }, Floats(u));
        var (means, logVars) = vamp.EncodeComponents(encoder);
        CollectionAssert.AreEqual(new long[] { 3, 2 }, means.shape);
        CollectionAssert.AreEqual(new long[] { 3, 2 }, logVars.shape);
        Assert.ThrowsExactly<ArgumentException>(() => vamp.InitializeFromData(data.narrow(0, 0, 2)));
    }
}
