using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

[TestClass]
public sealed class PriorsFlowTests
{
    /// <summary>A float64 flow whose weights are scaled up so that scales and shifts are far from zero.</summary>
    private static DecoupledFlowPrior CreateFlow(int d, long seed)
    {
        Torch.ManualSeed(seed);
        var flow = new DecoupledFlowPrior(d);
        flow.To(DType.Float64);
        using (Torch.NoGrad())
            foreach (var p in flow.Parameters()) p.Mul_(3.0);
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
        var names = flow.StateDict().Keys.ToHashSet();
        Assert.Contains("blocks.0.mask", names);
        Assert.Contains("blocks.5.s.0.weight", names);
        Assert.Contains("blocks.5.t.4.bias", names);
        // 6 blocks × 2 nets × (2·64+64 + 64·64+64 + 64·2+2).
        Assert.AreEqual(6L * 2 * (2 * 64 + 64 + 64 * 64 + 64 + 64 * 2 + 2), flow.ParameterCount);
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(5)]
    public void InverseUndoesForward(int d)
    {
        long baseline = Tensor.LiveCount;
        using (var flow = CreateFlow(d, 11))
        using (Torch.NewDisposeScope())
        {
            var z = Torch.Randn([64, d], DType.Float64) * 2.0;
            var (z0, _) = flow.ToGenerationSpace(z);
            var back = flow.FromGenerationSpace(z0);
            Assert.IsLessThan(1e-5, (back - z).Abs().Max().Item());
            // The flow is not the identity, so the check above is not vacuous.
            Assert.IsGreaterThan(0.1, (z0 - z).Abs().Max().Item());

            var u0 = Torch.Randn([64, d], DType.Float64);
            var (again, _) = flow.ToGenerationSpace(flow.FromGenerationSpace(u0));
            Assert.IsLessThan(1e-5, (again - u0).Abs().Max().Item());
        }
        Assert.AreEqual(baseline, Tensor.LiveCount);
    }

    [TestMethod]
    [DataRow(2)]
    [DataRow(5)]
    public void LogDetMatchesAutogradJacobian(int d)
    {
        using var flow = CreateFlow(d, 5);
        using var scope = Torch.NewDisposeScope();
        const int n = 4;
        var z = (Torch.Randn([n, d], DType.Float64) * 1.5).RequiresGrad_();
        var (z0, logDet) = flow.ToGenerationSpace(z);
        // Samples are independent, so the gradient of Σ_n z0[n, i] gives row i of every sample's Jacobian.
        var jacobian = new double[n, d, d];
        for (int i = 0; i < d; i++)
        {
            var row = Autograd.Grad(z0.Select(1, i).Sum(), z, retainGraph: true).ToArray<double>();
            for (int s = 0; s < n; s++)
                for (int j = 0; j < d; j++)
                    jacobian[s, i, j] = row[s * d + j];
        }
        var expected = logDet.ToArray<double>();
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
        flow.To(DType.Float64);
        using var scope = Torch.NewDisposeScope();
        using var noGrad = Torch.NoGrad();
        const int steps = 121;
        const double half = 7.0;
        var axis = Torch.Linspace(-half, half, steps, DType.Float64);
        var xs = axis.Unsqueeze(1).Expand(steps, steps).Reshape(-1);
        var ys = axis.Unsqueeze(0).Expand(steps, steps).Reshape(-1);
        var grid = Torch.Stack([xs, ys], 1);
        double cell = Math.Pow(2 * half / (steps - 1), 2);
        double mass = flow.LogProb(grid).Exp().Sum().Item() * cell;
        Assert.AreEqual(1.0, mass, 0.01);
    }

    [TestMethod]
    public void LogProbIsGaussianOfImagePlusLogDet()
    {
        using var flow = CreateFlow(3, 2);
        using var scope = Torch.NewDisposeScope();
        var z = Torch.Randn([5, 3], DType.Float64);
        var (z0, logDet) = flow.ToGenerationSpace(z);
        var a = z0.ToArray<double>();
        var ld = logDet.ToArray<double>();
        var lp = flow.LogProb(z).ToArray<double>();
        for (int s = 0; s < 5; s++)
        {
            double expected = ld[s];
            for (int j = 0; j < 3; j++) expected += -0.5 * Math.Log(2 * Math.PI) - 0.5 * a[s * 3 + j] * a[s * 3 + j];
            Assert.AreEqual(expected, lp[s], 1e-10);
        }
        var samples = flow.Sample(7);
        CollectionAssert.AreEqual(new long[] { 7, 3 }, samples.Shape);
        Assert.AreEqual(DType.Float64, samples.DType);
    }

    [TestMethod]
    public void RejectsBadArguments()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DecoupledFlowPrior(0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DecoupledFlowPrior(2, blocks: 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DecoupledFlowPrior(2, maskPercent: 150));
        using var flow = new DecoupledFlowPrior(2);
        using var scope = Torch.NewDisposeScope();
        var ex = Assert.ThrowsExactly<ArgumentException>(() => flow.ToGenerationSpace(Torch.Zeros([4, 3])));
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
