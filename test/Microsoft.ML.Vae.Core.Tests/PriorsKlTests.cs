using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

[TestClass]
public sealed class PriorsKlTests
{
    private static readonly double[] Means = [0.3, -1.2, 0.0, 2.0, 0.5, -0.4];
    private static readonly double[] LogVars = [-0.5, 0.7, 0.0, -2.0, 1.1, 0.2];

    [TestMethod]
    public void StandardNormalKlMatchesClosedForm()
    {
        using var scope = Torch.NewDisposeScope();
        var mean = Tensor.From(Means, 2, 3);
        var logVar = Tensor.From(LogVars, 2, 3);
        var kl = Kl.StandardNormal(mean, logVar).ToArray<double>();
        for (int s = 0; s < 2; s++)
        {
            double expected = 0;
            for (int j = 0; j < 3; j++)
            {
                double m = Means[s * 3 + j], v = Math.Exp(LogVars[s * 3 + j]);
                // KL(N(m, v) ‖ N(0, 1)) = ½(v + m² − 1 − ln v)
                expected += 0.5 * (v + m * m - 1 - Math.Log(v));
            }
            Assert.AreEqual(expected, kl[s], 1e-12);
        }
    }

    [TestMethod]
    public void StandardNormalKlMatchesMonteCarlo()
    {
        Torch.ManualSeed(3);
        using var scope = Torch.NewDisposeScope();
        const int samples = 200_000;
        var mean = Tensor.From(Means[..3], 1, 3);
        var logVar = Tensor.From(LogVars[..3], 1, 3);
        var z = DiagonalGaussian.Sample(mean.Expand(samples, 3), logVar.Expand(samples, 3));
        var logQ = DiagonalGaussian.LogDensity(z, mean, logVar).Sum(1);
        var logP = new StandardNormalPrior(3, dtype: DType.Float64).LogProb(z);
        double monteCarlo = (logQ - logP).Mean().Item();
        double closed = Kl.StandardNormal(mean, logVar).Item();
        Assert.AreEqual(closed, monteCarlo, 0.02);
    }

    [TestMethod]
    public void DroppedConstantIsHalfTheDimension()
    {
        using var flow = new DecoupledFlowPrior(3, hiddenSize: 8);
        using var scope = Torch.NewDisposeScope();
        var z = Torch.Randn([4, 3]);
        var logVar = Torch.Randn([4, 3]);
        var implemented = Kl.DecoupledSingleSample(flow, z, logVar);
        var exact = Kl.DecoupledSingleSampleExact(flow, z, logVar);
        var diff = (implemented - exact).ToArray<float>();
        foreach (var v in diff) Assert.AreEqual(1.5, v, 1e-5);
    }

    [TestMethod]
    public void DecoupledEstimateWithIdentityMapAveragesToClosedForm()
    {
        Torch.ManualSeed(4);
        using var scope = Torch.NewDisposeScope();
        const int samples = 200_000;
        var mean = Tensor.From(Means[..3], 1, 3).Expand(samples, 3);
        var logVar = Tensor.From(LogVars[..3], 1, 3).Expand(samples, 3);
        var z = DiagonalGaussian.Sample(mean, logVar);
        var prior = new StandardNormalPrior(3, dtype: DType.Float64);
        double estimate = Kl.DecoupledSingleSampleExact(prior, z, logVar).Mean().Item();
        double closed = Kl.StandardNormal(mean.Narrow(0, 0, 1), logVar.Narrow(0, 0, 1)).Item();
        Assert.AreEqual(closed, estimate, 0.02);
    }

    [TestMethod]
    public void DecoupledEstimateMatchesMonteCarloOfExactKl()
    {
        Torch.ManualSeed(6);
        using var flow = new DecoupledFlowPrior(2);
        flow.To(DType.Float64);
        using (Torch.NoGrad())
            foreach (var p in flow.Parameters()) p.Mul_(2.0);
        using var scope = Torch.NewDisposeScope();
        using var noGrad = Torch.NoGrad();
        const int samples = 20_000;
        double[][] posteriors = [[0.5, -0.3, -1.0, 0.4], [-1.5, 1.0, 0.3, -0.8]];
        foreach (var q in posteriors)
        {
            var mean = Tensor.From(q[..2], 1, 2).Expand(samples, 2);
            var logVar = Tensor.From(q[2..], 1, 2).Expand(samples, 2);
            // Two independent sample sets: one for the estimator, one for E_q[log q − log p].
            var zEstimator = DiagonalGaussian.Sample(mean, logVar);
            var zReference = DiagonalGaussian.Sample(mean, logVar);
            double estimate = Kl.DecoupledSingleSampleExact(flow, zEstimator, logVar).Mean().Item();
            var logQ = DiagonalGaussian.LogDensity(zReference, mean, logVar).Sum(1);
            double reference = (logQ - flow.LogProb(zReference)).Mean().Item();
            Assert.AreEqual(reference, estimate, 0.06, $"posterior [{string.Join(", ", q)}]");
            // The implemented (constant-free) estimate is d/2 above.
            double implemented = Kl.DecoupledSingleSample(flow, zEstimator, logVar).Mean().Item();
            Assert.AreEqual(estimate + 1.0, implemented, 1e-9);
        }
    }

    [TestMethod]
    public void GaussianLogDensityMatchesFormula()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 0.7 });
        var m = Tensor.From(new double[] { -0.2 });
        var lv = Tensor.From(new double[] { 0.4 });
        double v = Math.Exp(0.4);
        double expected = -0.5 * Math.Log(2 * Math.PI * v) - 0.81 / (2 * v);
        Assert.AreEqual(expected, DiagonalGaussian.LogDensity(x, m, lv).Item(), 1e-12);
    }

    [TestMethod]
    public void StandardNormalPriorIsIdentityMap()
    {
        var prior = new StandardNormalPrior(2);
        using var scope = Torch.NewDisposeScope();
        var z = Tensor.From(new float[] { 1, 2, -3, 0.5f }, 2, 2);
        var (z0, logDet) = prior.ToGenerationSpace(z);
        CollectionAssert.AreEqual(z.ToArray<float>(), z0.ToArray<float>());
        CollectionAssert.AreEqual(new float[] { 0, 0 }, logDet.ToArray<float>());
        var lp = prior.LogProb(z).ToArray<float>();
        Assert.AreEqual(-Math.Log(2 * Math.PI) - 2.5, lp[0], 1e-5);
        CollectionAssert.AreEqual(new long[] { 5, 2 }, prior.Sample(5).Shape);
        Assert.ThrowsExactly<ArgumentException>(() => prior.LogProb(Torch.Zeros([2, 3])));
    }
}
