using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static Microsoft.ML.Vae.Core.Tests.KernelsTestSupport;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class PriorsFlowTests
{
    /// <summary>A float64 flow whose weights are scaled up so that scales and shifts are far from zero.</summary>
    private static DecoupledFlowPrior CreateFlow(int d, long seed)
    {
        torch.manual_seed(seed);
        var flow = new DecoupledFlowPrior(d);
        flow.to(ScalarType.Float64);
        using (torch.no_grad())
            foreach (var p in flow.parameters()) p.mul_(3.0);
        return flow;
    }

    [TestMethod]
    public void MasksAlternateForTwoDimensions()
    {
        using var flow = new DecoupledFlowPrior(2);
        Assert.HasCount(6, flow.Blocks);
        for (int k = 0; k < 6; k++)
            CollectionAssert.AreEqual(k % 2 == 0 ? new float[] { 1, 0 } : new float[] { 0, 1 }, flow.Blocks[k].Mask.ToArray());
    }

    [TestMethod]
    public void HalfMasksForLargerDimensions()
    {
        using var flow = new DecoupledFlowPrior(5, blocks: 6, hiddenSize: 8, maskPercent: 50);
        CollectionAssert.AreEqual(new float[] { 1, 1, 0, 0, 0 }, flow.Blocks[0].Mask.ToArray());
        CollectionAssert.AreEqual(new float[] { 0, 0, 1, 1, 1 }, flow.Blocks[1].Mask.ToArray());
        CollectionAssert.AreEqual(new float[] { 1, 1, 0, 0, 0 }, flow.Blocks[4].Mask.ToArray());
        CollectionAssert.AreEqual(new float[] { 1, 1, 1, 0, 0 }, DecoupledFlowPrior.CreateMask(5, 60));
    }

    [TestMethod]
    public void StateDictHoldsSeparateScaleAndShiftNetworks()
    {
        using var flow = new DecoupledFlowPrior(2);
        var names = flow.state_dict().Keys.ToHashSet();
        Assert.Contains("blocks.0.mask", names);
        Assert.Contains("blocks.5.s.0.weight", names);
        Assert.Contains("blocks.5.t.4.bias", names);
        // 6 blocks × 2 nets × (2·64+64 + 64·64+64 + 64·2+2).
        Assert.AreEqual(6L * 2 * (2 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2), flow.parameters().Sum(p => p.numel()));
    }

    [TestMethod]
    public void MasksFollowTheFlowWhenItIsConverted()
    {
        using var flow = new DecoupledFlowPrior(2, blocks: 2, hiddenSize: 4);
        flow.to(ScalarType.Float64);
        Assert.AreEqual(ScalarType.Float64, flow.state_dict()["blocks.1.mask"].dtype);
        CollectionAssert.AreEqual(new double[] { 0, 1 }, Values(flow.state_dict()["blocks.1.mask"]));
        using var scope = torch.NewDisposeScope();
        var (z0, logDet) = flow.ToGenerationSpace(torch.randn(new long[] { 3, 2 }, ScalarType.Float64));
        Assert.AreEqual(ScalarType.Float64, z0.dtype);
        Assert.AreEqual(ScalarType.Float64, logDet.dtype);
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(5)]
    public void InverseUndoesForward(int d)
    {
        long baseline = LiveTensors.Count;
        using (var flow = CreateFlow(d, 11))
        using (torch.NewDisposeScope())
        {
            var z = torch.randn(new long[] { 64, d }, ScalarType.Float64) * 2.0;
            var (z0, _) = flow.ToGenerationSpace(z);
            var back = flow.FromGenerationSpace(z0);
            Assert.IsLessThan(1e-5, (back - z).abs().max().ItemAsDouble());
            // The flow is not the identity, so the check above is not vacuous.
            Assert.IsGreaterThan(0.1, (z0 - z).abs().max().ItemAsDouble());

            var u0 = torch.randn(new long[] { 64, d }, ScalarType.Float64);
            var (again, _) = flow.ToGenerationSpace(flow.FromGenerationSpace(u0));
            Assert.IsLessThan(1e-5, (again - u0).abs().max().ItemAsDouble());
        }
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(5)]
    public void LogDetMatchesAutogradJacobian(int d)
    {
        using var flow = CreateFlow(d, 5);
        using var scope = torch.NewDisposeScope();
        const int n = 4;
        var z = (torch.randn(new long[] { n, d }, ScalarType.Float64) * 1.5).requires_grad_();
        var (z0, logDet) = flow.ToGenerationSpace(z);
        // Samples are independent, so the gradient of Σ_n z0[n, i] gives row i of every sample's Jacobian.
        var jacobian = new double[n, d, d];
        for (int i = 0; i < d; i++)
        {
            var row = Values(torch.autograd.grad([z0.select(1, i).sum()], [z], retain_graph: true)[0]);
            for (int s = 0; s < n; s++)
                for (int j = 0; j < d; j++)
                    jacobian[s, i, j] = row[s * d + j];
        }
        var expected = Values(logDet);
        for (int s = 0; s < n; s++)
        {
            var m = new double[d, d];
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) m[i, j] = jacobian[s, i, j];
            Assert.AreEqual(LogAbsDeterminant(m), expected[s], 1e-9, $"sample {s}");
        }
        Assert.IsGreaterThan(0.05, expected.Select(Math.Abs).Max(), "the log-determinant should not be trivially zero");
    }

    [TestMethod]
    public void DensityIntegratesToOneInTwoDimensions()
    {
        using var flow = new DecoupledFlowPrior(2);
        flow.to(ScalarType.Float64);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        const int steps = 121;
        const double half = 7.0;
        var axis = torch.linspace(-half, half, steps, ScalarType.Float64);
        var xs = axis.unsqueeze(1).expand(steps, steps).reshape(-1);
        var ys = axis.unsqueeze(0).expand(steps, steps).reshape(-1);
        var grid = torch.stack([xs, ys], 1);
        double cell = Math.Pow(2 * half / (steps - 1), 2);
        double mass = flow.LogProb(grid).exp().sum().ItemAsDouble() * cell;
        Assert.AreEqual(1.0, mass, 0.01);
    }

    [TestMethod]
    public void LogProbIsGaussianOfImagePlusLogDet()
    {
        using var flow = CreateFlow(3, 2);
        using var scope = torch.NewDisposeScope();
        var z = torch.randn(new long[] { 5, 3 }, ScalarType.Float64);
        var (z0, logDet) = flow.ToGenerationSpace(z);
        var a = Values(z0);
        var ld = Values(logDet);
        var lp = Values(flow.LogProb(z));
        for (int s = 0; s < 5; s++)
        {
            double expected = ld[s];
            for (int j = 0; j < 3; j++) expected += -0.5 * Math.Log(2 * Math.PI) - 0.5 * a[s * 3 + j] * a[s * 3 + j];
            Assert.AreEqual(expected, lp[s], 1e-10);
        }
        var samples = flow.Sample(7);
        CollectionAssert.AreEqual(new long[] { 7, 3 }, samples.shape);
        Assert.AreEqual(ScalarType.Float64, samples.dtype);
    }

    [TestMethod]
    public void RejectsBadArguments()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DecoupledFlowPrior(0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DecoupledFlowPrior(2, blocks: 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DecoupledFlowPrior(2, maskPercent: 150));
        using var flow = new DecoupledFlowPrior(2);
        using var scope = torch.NewDisposeScope();
        var ex = Assert.ThrowsExactly<ArgumentException>(() => flow.ToGenerationSpace(torch.zeros(4, 3)));
        StringAssert.Contains(ex.Message, "[N, 2]");
    }

    /// <summary>log|det m| by Gaussian elimination with partial pivoting.</summary>
    private static double LogAbsDeterminant(double[,] m)
    {
        int n = m.GetLength(0);
        var a = (double[,])m.Clone();
        double logDet = 0;
        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < n; r++) if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c])) pivot = r;
            if (pivot != c)
                for (int k = 0; k < n; k++) (a[c, k], a[pivot, k]) = (a[pivot, k], a[c, k]);
            logDet += Math.Log(Math.Abs(a[c, c]));
            for (int r = c + 1; r < n; r++)
            {
                double f = a[r, c] / a[c, c];
                for (int k = c; k < n; k++) a[r, k] -= f * a[c, k];
            }
        }
        return logDet;
    }
}
