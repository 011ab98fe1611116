using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static Microsoft.ML.Vae.Core.Tests.KernelsTestSupport;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class PriorsKlTests
{
    private static readonly double[] Means = [0.3, -1.2, 0.0, 2.0, 0.5, -0.4];
    private static readonly double[] LogVars = [-0.5, 0.7, 0.0, -2.0, 1.1, 0.2];

    [TestMethod]
    public void StandardNormalKlMatchesClosedForm()
    {
        using var scope = torch.NewDisposeScope();
        var mean = torch.tensor(Means, new long[] { 2, 3 });
        var logVar = torch.tensor(LogVars, new long[] { 2, 3 });
        var kl = Values(Kl.StandardNormal(mean, logVar));
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
        torch.manual_seed(3);
        using var scope = torch.NewDisposeScope();
        const int samples = 200_000;
        var mean = torch.tensor(Means[..3], new long[] { 1, 3 });
        var logVar = torch.tensor(LogVars[..3], new long[] { 1, 3 });
        var z = DiagonalGaussian.Sample(mean.expand(samples, 3), logVar.expand(samples, 3));
        var logQ = DiagonalGaussian.LogDensity(z, mean, logVar).sum(1);
        var logP = new StandardNormalPrior(3, dtype: ScalarType.Float64).LogProb(z);
        double monteCarlo = (logQ - logP).mean().ItemAsDouble();
        double closed = Kl.StandardNormal(mean, logVar).ItemAsDouble();
        Assert.AreEqual(closed, monteCarlo, 0.02);
    }

    [TestMethod]
    public void DroppedConstantIsHalfTheDimension()
    {
        using var flow = new DecoupledFlowPrior(3, hiddenSize: 8);
        using var scope = torch.NewDisposeScope();
        var z = torch.randn(4, 3);
        var logVar = torch.randn(4, 3);
        var implemented = Kl.DecoupledSingleSample(flow, z, logVar);
        var exact = Kl.DecoupledSingleSampleExact(flow, z, logVar);
        var diff = Floats(implemented - exact);
        foreach (var v in diff) Assert.AreEqual(1.5, v, 1e-5);
    }

    [TestMethod]
    public void DecoupledEstimateWithIdentityMapAveragesToClosedForm()
    {
        torch.manual_seed(4);
        using var scope = torch.NewDisposeScope();
        const int samples = 200_000;
        var mean = torch.tensor(Means[..3], new long[] { 1, 3 }).expand(samples, 3);
        var logVar = torch.tensor(LogVars[..3], new long[] { 1, 3 }).expand(samples, 3);
        var z = DiagonalGaussian.Sample(mean, logVar);
        var prior = new StandardNormalPrior(3, dtype: ScalarType.Float64);
        double estimate = Kl.DecoupledSingleSampleExact(prior, z, logVar).mean().ItemAsDouble();
        double closed = Kl.StandardNormal(mean.narrow(0, 0, 1), logVar.narrow(0, 0, 1)).ItemAsDouble();
        Assert.AreEqual(closed, estimate, 0.02);
    }

    [TestMethod]
    public void DecoupledEstimateMatchesMonteCarloOfExactKl()
    {
        torch.manual_seed(6);
        using var flow = new DecoupledFlowPrior(2);
        flow.to(ScalarType.Float64);
        using (torch.no_grad())
            foreach (var p in flow.parameters()) p.mul_(2.0);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        const int samples = 20_000;
        double[][] posteriors = [[0.5, -0.3, -1.0, 0.4], [-1.5, 1.0, 0.3, -0.8]];
        foreach (var q in posteriors)
        {
            var mean = torch.tensor(q[..2], new long[] { 1, 2 }).expand(samples, 2);
            var logVar = torch.tensor(q[2..], new long[] { 1, 2 }).expand(samples, 2);
            // Two independent sample sets: one for the estimator, one for E_q[log q − log p].
            var zEstimator = DiagonalGaussian.Sample(mean, logVar);
            var zReference = DiagonalGaussian.Sample(mean, logVar);
            double estimate = Kl.DecoupledSingleSampleExact(flow, zEstimator, logVar).mean().ItemAsDouble();
            var logQ = DiagonalGaussian.LogDensity(zReference, mean, logVar).sum(1);
            double reference = (logQ - flow.LogProb(zReference)).mean().ItemAsDouble();
            Assert.AreEqual(reference, estimate, 0.06, $"posterior [{string.Join(", ", q)}]");
            // The implemented (constant-free) estimate is d/2 above.
            double implemented = Kl.DecoupledSingleSample(flow, zEstimator, logVar).mean().ItemAsDouble();
            Assert.AreEqual(estimate + 1.0, implemented, 1e-9);
        }
    }

    [TestMethod]
    public void GaussianLogDensityMatchesFormula()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 0.7 });
        var m = torch.tensor(new double[] { -0.2 });
        var lv = torch.tensor(new double[] { 0.4 });
        double v = Math.Exp(0.4);
        double expected = -0.5 * Math.Log(2 * Math.PI * v) - 0.81 / (2 * v);
        Assert.AreEqual(expected, DiagonalGaussian.LogDensity(x, m, lv).ItemAsDouble(), 1e-12);
    }

    [TestMethod]
    public void StandardNormalPriorIsIdentityMap()
    {
        var prior = new StandardNormalPrior(2);
        using var scope = torch.NewDisposeScope();
        var z = torch.tensor(new float[] { 1, 2, -3, 0.5f }, new long[] { 2, 2 });
        var (z0, logDet) = prior.ToGenerationSpace(z);
        CollectionAssert.AreEqual(Floats(z), Floats(z0));
        CollectionAssert.AreEqual(new float[] { 0, 0 }, Floats(logDet));
        var lp = Floats(prior.LogProb(z));
        Assert.AreEqual(-Math.Log(2 * Math.PI) - 2.5, lp[0], 1e-5);
        CollectionAssert.AreEqual(new long[] { 5, 2 }, prior.Sample(5).shape);
        Assert.ThrowsExactly<ArgumentException>(() => prior.LogProb(torch.zeros(2, 3)));
    }
}
