using Microsoft.ML.Vae.Torch.Optim;

namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Learning-rate schedules and gradient-norm clipping.</summary>
[TestClass]
public sealed class LRSchedulerAndClippingTests : TorchTestBase
{
    private static void AssertRates(LRScheduler scheduler, double[] expected)
    {
        Assert.AreEqual(expected[0], scheduler.Optimizer.LearningRate, 1e-15);
        for (int i = 1; i < expected.Length; i++)
        {
            scheduler.Step();
            Assert.AreEqual((long)i, scheduler.LastStep);
            Assert.AreEqual(expected[i], scheduler.Optimizer.LearningRate, 1e-12, $"Rate after {i} steps.");
            Assert.AreEqual(expected[i], scheduler.RateAt(i), 1e-12);
        }
    }

    [TestMethod]
    public void MultiStepLR_DecaysAtEachMilestone()
    {
        using var scope = Torch.NewDisposeScope();
        using var sgd = new Sgd([Torch.Zeros([1]).RequiresGrad_()], 2.0);
        // Milestones are sorted, so their order does not matter.
        AssertRates(new MultiStepLR(sgd, [5, 2], gamma: 0.1), [2, 2, 0.2, 0.2, 0.2, 0.02, 0.02]);
    }

    [TestMethod]
    public void ExponentialLR_MultipliesEveryStep()
    {
        using var scope = Torch.NewDisposeScope();
        using var sgd = new Sgd([Torch.Zeros([1]).RequiresGrad_()], 0.8);
        AssertRates(new ExponentialLR(sgd, 0.5), [0.8, 0.4, 0.2, 0.1, 0.05]);
    }

    [TestMethod]
    public void CosineAnnealingLR_FollowsHalfACosine()
    {
        using var scope = Torch.NewDisposeScope();
        using var adam = new Adam([Torch.Zeros([1]).RequiresGrad_()], 1.0);
        // eta(t) = 0.1 + 0.9·(1 + cos(πt/4))/2 for t = 0..4, then it stays at the minimum.
        AssertRates(new CosineAnnealingLR(adam, tMax: 4, etaMin: 0.1),
            [1.0, 0.1 + 0.45 * (1 + Math.Sqrt(0.5)), 0.55, 0.1 + 0.45 * (1 - Math.Sqrt(0.5)), 0.1]);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CosineAnnealingLR(adam, 0));
    }

    [TestMethod]
    public void SetStep_JumpsForResume()
    {
        using var scope = Torch.NewDisposeScope();
        using var sgd = new Sgd([Torch.Zeros([1]).RequiresGrad_()], 1.0);
        var scheduler = new ExponentialLR(sgd, 0.5);
        scheduler.SetStep(3);
        Assert.AreEqual(0.125, sgd.LearningRate);
        scheduler.Step();
        Assert.AreEqual(0.0625, sgd.LearningRate);
        Assert.AreEqual(1.0, sgd.InitialLearningRate);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => scheduler.SetStep(-1));
        Assert.ThrowsExactly<ArgumentNullException>(() => new ExponentialLR(null!, 0.5));
    }

    [TestMethod]
    public void ClipGradNorm_ScalesAllGradientsTogether()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Torch.Zeros([2], DType.Float64).RequiresGrad_();
        var b = Torch.Zeros([1], DType.Float64).RequiresGrad_();
        var none = Torch.Zeros([1], DType.Float64).RequiresGrad_();
        a.Grad = Tensor.From(new double[] { 3, 4 });
        b.Grad = Tensor.From(new double[] { 12 });
        // Total 2-norm √(9 + 16 + 144) = 13; clipping to 6.5 halves every gradient.
        Assert.AreEqual(13.0, GradientClipping.ClipGradNorm([a, b, none], 6.5), 1e-12);
        double coefficient = 6.5 / (13 + 1e-6);
        TensorAssert.Close([3 * coefficient, 4 * coefficient], a.Grad!, 1e-12);
        TensorAssert.Close([12 * coefficient], b.Grad!, 1e-12);
        Assert.IsNull(none.Grad);
        // Below the limit nothing changes.
        Assert.AreEqual(6.5, GradientClipping.ClipGradNorm([a, b], 100), 1e-5);
        TensorAssert.Close([3 * coefficient, 4 * coefficient], a.Grad!, 1e-12);
        // The infinity norm is the largest magnitude.
        Assert.AreEqual(12 * coefficient, GradientClipping.ClipGradNorm([a, b], 1, double.PositiveInfinity), 1e-9);
        TensorAssert.Close([1], b.Grad!, 1e-6);
        Assert.AreEqual(0.0, GradientClipping.ClipGradNorm([none], 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GradientClipping.ClipGradNorm([a], 0));
    }

    [TestMethod]
    public void GradientsFinite_DetectsNaNAndInfinity()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Torch.Zeros([2], DType.Float64).RequiresGrad_();
        var b = Torch.Zeros([2], DType.Float64).RequiresGrad_();
        Assert.IsTrue(GradientClipping.GradientsFinite([a, b]));
        a.Grad = Tensor.From(new double[] { 1, 2 });
        Assert.IsTrue(GradientClipping.GradientsFinite([a, b]));
        b.Grad = Tensor.From(new[] { 1, double.NaN });
        Assert.IsFalse(GradientClipping.GradientsFinite([a, b]));
        b.Grad = Tensor.From(new[] { double.NegativeInfinity, 0 });
        Assert.IsFalse(GradientClipping.GradientsFinite([a, b]));
    }
}
