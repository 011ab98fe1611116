using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Objectives;
using TorchSharp;
using static Microsoft.ML.Vae.Core.Tests.KernelsTestSupport;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class ObjectivesTests
{
    [TestMethod]
    public void ReconstructionIsWeightedBatchSum()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 0, 1, 0.5f, 0.25f }, new long[] { 2, 1, 2 });
        var xHat = torch.tensor(new float[] { 1, 1, 0, 0.25f }, new long[] { 2, 1, 2 });
        Assert.AreEqual(10 * (1 + 0.25), ReconstructionLoss.WeightedSse(xHat, x, 10).ItemAsDouble(), 1e-5);
        Assert.ThrowsExactly<ArgumentException>(() => ReconstructionLoss.WeightedSse(xHat, torch.zeros(2, 2), 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ReconstructionLoss.WeightedSse(xHat, x, 0));
    }

    [TestMethod]
    public void BetaVaeTotal()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.zeros(2, 3);
        var xHat = torch.ones(2, 3);
        var kl = torch.tensor(new float[] { 0.5f, 1.5f });
        var terms = BetaVaeObjective.Compute(xHat, x, kl, mseWeight: 2, beta: 5);
        Assert.AreEqual(12, terms["reconstruction"].ItemAsDouble(), 1e-5);
        Assert.AreEqual(2, terms["kl"].ItemAsDouble(), 1e-5);
        Assert.AreEqual(22, terms.Total.ItemAsDouble(), 1e-5);
        Assert.ThrowsExactly<ArgumentException>(() => BetaVaeObjective.Compute(xHat, x, torch.tensor(new float[] { 1 }), 1, 1));
    }

    [TestMethod]
    public void CapacityScheduleAndLoss()
    {
        Assert.AreEqual(0, CapacityObjective.Capacity(0, 25, 100_000));
        Assert.AreEqual(0.00025, CapacityObjective.Capacity(1, 25, 100_000), 1e-12);
        Assert.AreEqual(12.5, CapacityObjective.Capacity(50_000, 25, 100_000), 1e-12);
        Assert.AreEqual(25, CapacityObjective.Capacity(250_000, 25, 100_000));
        using var scope = torch.NewDisposeScope();
        var x = torch.zeros(2, 1);
        var kl = torch.tensor(new float[] { 3, 4 });
        var early = CapacityObjective.Compute(x, x, kl, 100, 15, 25, 100, step: 20);  // C = 5, |7 − 5| = 2
        Assert.AreEqual(30, early.Total.ItemAsDouble(), 1e-4);
        Assert.AreEqual(5, early["capacity"].ItemAsDouble(), 1e-6);
        var late = CapacityObjective.Compute(x, x, kl, 100, 15, 25, 100, step: 1000); // C = 25, |7 − 25| = 18
        Assert.AreEqual(270, late.Total.ItemAsDouble(), 1e-4);
    }

    [TestMethod]
    public void MmdOfSampleWithItselfIsZeroAndGrowsWithShift()
    {
        torch.manual_seed(8);
        using var scope = torch.NewDisposeScope();
        var z = torch.randn(new long[] { 64, 3 }, ScalarType.Float64);
        Assert.AreEqual(0, InfoVaeObjective.Mmd(z, z).ItemAsDouble(), 1e-12);
        double previous = 0;
        foreach (double shift in new[] { 0.25, 0.5, 1.0, 2.0 })
        {
            double mmd = InfoVaeObjective.Mmd(z + shift, z).ItemAsDouble();
            Assert.IsGreaterThan(previous, mmd, $"shift {shift}");
            previous = mmd;
        }
    }

    [TestMethod]
    public void KernelMatchesFormula()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new double[] { 0, 0, 1, 2 }, new long[] { 2, 2 });
        var b = torch.tensor(new double[] { 1, 1 }, new long[] { 1, 2 });
        var k = Values(InfoVaeObjective.Kernel(a, b));
        // exp(−‖a−b‖² / d²) with d = 2
        Assert.AreEqual(Math.Exp(-2.0 / 4), k[0], 1e-12);
        Assert.AreEqual(Math.Exp(-1.0 / 4), k[1], 1e-12);
        // Biased V-statistic by hand for one point each: k(p,p) + k(q,q) − 2k(p,q) = 2 − 2e^{−½}.
        var p = torch.tensor(new double[] { 0, 0 }, new long[] { 1, 2 });
        Assert.AreEqual(2 - 2 * Math.Exp(-0.5), InfoVaeObjective.Mmd(b, p).ItemAsDouble(), 1e-12);
    }

    [TestMethod]
    public void InfoVaeTotal()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.zeros(new long[] { 2, 2 }, ScalarType.Float64);
        var kl = torch.tensor(new double[] { 1, 2 });
        var q = torch.tensor(new double[] { 1, 1, 1, 1 }, new long[] { 2, 2 });
        var p = torch.zeros(new long[] { 2, 2 }, ScalarType.Float64);
        var terms = InfoVaeObjective.Compute(x, x, kl, q, p, mseWeight: 10, alpha: 0, lambda: 1000);
        double mmd = 2 - 2 * Math.Exp(-0.5);
        Assert.AreEqual(mmd, terms["mmd"].ItemAsDouble(), 1e-12);
        Assert.AreEqual(3 + 999 * mmd, terms.Total.ItemAsDouble(), 1e-9);
    }

    [TestMethod]
    public void FactorLossesAndPermutation()
    {
        torch.manual_seed(9);
        using var scope = torch.NewDisposeScope();
        var logits = torch.tensor(new double[] { 2, 0.5, -1, 1 }, new long[] { 2, 2 });
        var x = torch.zeros(new long[] { 2, 1 }, ScalarType.Float64);
        var kl = torch.tensor(new double[] { 0.5, 0.5 });
        var terms = FactorVaeObjective.VaeLoss(x, x, kl, logits, mseWeight: 1, gamma: 10);
        Assert.AreEqual(((2 - 0.5) + (-1 - 1)) / 2.0, terms["tc"].ItemAsDouble(), 1e-12);
        Assert.AreEqual(1 + 10 * -0.25, terms.Total.ItemAsDouble(), 1e-12);

        // CE by hand: joint rows are class 0, permuted rows class 1.
        static double LogSoftmax(double a, double b, int c) => (c == 0 ? a : b) - Math.Log(Math.Exp(a) + Math.Exp(b));
        var permutedLogits = torch.tensor(new double[] { 0, 3 }, new long[] { 1, 2 });
        double expected = 0.5 * (-(LogSoftmax(2, 0.5, 0) + LogSoftmax(-1, 1, 0)) / 2 - LogSoftmax(0, 3, 1));
        Assert.AreEqual(expected, FactorVaeObjective.DiscriminatorLoss(logits, permutedLogits).ItemAsDouble(), 1e-12);

        var z = torch.arange(0, 40, 1, ScalarType.Float32).reshape(10, 4);
        var permuted = FactorVaeObjective.PermuteDims(z);
        var original = Floats(z);
        var shuffled = Floats(permuted);
        bool changed = false;
        for (int j = 0; j < 4; j++)
        {
            var col = Enumerable.Range(0, 10).Select(i => original[i * 4 + j]).ToArray();
            var pc = Enumerable.Range(0, 10).Select(i => shuffled[i * 4 + j]).ToArray();
            CollectionAssert.AreEquivalent(col, pc);
            changed |= !col.SequenceEqual(pc);
        }
        Assert.IsTrue(changed);
        // Columns are shuffled independently: rows of the result are (almost surely) not rows of z.
        int intactRows = Enumerable.Range(0, 10).Count(i => shuffled[i * 4 + 1] - shuffled[i * 4] == 1 && shuffled[i * 4 + 2] - shuffled[i * 4 + 1] == 1);
        Assert.IsLessThan(10, intactRows);
    }
}
