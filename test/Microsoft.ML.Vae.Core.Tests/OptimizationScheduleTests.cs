using Microsoft.ML.Vae.Core.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>Learning-rate access and schedules, gradient-norm clipping and the gradient finiteness check.</summary>
[TestClass]
public sealed class OptimizationScheduleTests
{
    private long _baseline;

    [TestInitialize]
    public void RecordLiveTensors() => _baseline = LiveTensors.Count;

    [TestCleanup]
    public void AssertNoLeaks() => Assert.AreEqual(_baseline, LiveTensors.Count, "The test leaked tensors.");

    private static Parameter NewParameter(double[] values)
    {
        using var t = torch.tensor(values);
        return new Parameter(t);
    }

    private static void AssertRates(LRScheduler scheduler, double[] expected)
    {
        Assert.AreEqual(expected[0], scheduler.Optimizer.GetLearningRate(), 1e-15);
        for (int i = 1; i < expected.Length; i++)
        {
            scheduler.Step();
            Assert.AreEqual((long)i, scheduler.LastStep);
            Assert.AreEqual(expected[i], scheduler.Optimizer.GetLearningRate(), 1e-12, $"Rate after {i} steps.");
            Assert.AreEqual(expected[i], scheduler.RateAt(i), 1e-12);
        }
    }

    [TestMethod]
    public void MultiStepLR_DecaysAtEachMilestone()
    {
        using var p = NewParameter([0]);
        using var sgd = torch.optim.SGD([p], 2.0);
        // Milestones are sorted, so their order does not matter.
        AssertRates(new MultiStepLR(sgd, [5, 2], gamma: 0.1), [2, 2, 0.2, 0.2, 0.2, 0.02, 0.02]);
    }

    [TestMethod]
    public void ExponentialLR_MultipliesEveryStep()
    {
        using var p = NewParameter([0]);
        using var sgd = torch.optim.SGD([p], 0.8);
        AssertRates(new ExponentialLR(sgd, 0.5), [0.8, 0.4, 0.2, 0.1, 0.05]);
    }

    [TestMethod]
    public void CosineAnnealingLR_FollowsHalfACosine()
    {
        using var p = NewParameter([0]);
        using var adam = new FusedAdam([p], 1.0);
        // eta(t) = 0.1 + 0.9·(1 + cos(πt/4))/2 for t = 0..4, then it stays at the minimum.
        AssertRates(new CosineAnnealingLR(adam, tMax: 4, etaMin: 0.1),
            [1.0, 0.1 + 0.45 * (1 + Math.Sqrt(0.5)), 0.55, 0.1 + 0.45 * (1 - Math.Sqrt(0.5)), 0.1]);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new CosineAnnealingLR(adam, 0));
    }

    [TestMethod]
    public void SetStep_JumpsForResume()
    {
        using var p = NewParameter([0]);
        using var sgd = torch.optim.SGD([p], 1.0);
        var scheduler = new ExponentialLR(sgd, 0.5);
        scheduler.SetStep(3);
        Assert.AreEqual(0.125, sgd.GetLearningRate());
        scheduler.Step();
        Assert.AreEqual(0.0625, sgd.GetLearningRate());
        Assert.AreEqual(1.0, sgd.InitialLearningRate());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => scheduler.SetStep(-1));
        Assert.ThrowsExactly<ArgumentNullException>(() => new ExponentialLR(null!, 0.5));
    }

    [TestMethod]
    public void LearningRate_IsReadAndSetThroughEveryParameterGroup()
    {
        using var a = NewParameter([0]);
        using var b = NewParameter([1]);
        using var adam = torch.optim.Adam([new Adam.ParamGroup([a], lr: 0.1), new Adam.ParamGroup([b], lr: 0.1)], lr: 0.1);
        adam.SetLearningRate(0.02);
        Assert.IsTrue(adam.ParamGroups.All(g => g.LearningRate == 0.02));
        Assert.AreEqual(0.02, adam.GetLearningRate());
        Assert.AreEqual(0.1, adam.InitialLearningRate());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => adam.SetLearningRate(-1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => adam.SetLearningRate(double.NaN));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => adam.SetLearningRate(double.PositiveInfinity));
        Assert.AreEqual(0.02, adam.GetLearningRate(), "a rejected rate changes nothing");
    }

    /// <summary>
    /// The programs clip with <c>torch.nn.utils.clip_grad_norm_</c>; this pins the behaviour they rely
    /// on (the old binding's ClipGradNorm had the same): one norm over all gradients, a 1e-6 guard,
    /// parameters without gradients skipped, the infinity norm, and the norm before clipping returned.
    /// </summary>
    [TestMethod]
    public void ClipGradNorm_ScalesAllGradientsTogether()
    {
        using var a = NewParameter([0, 0]);
        using var b = NewParameter([0]);
        using var none = NewParameter([0]);
        using (var g = torch.tensor(new double[] { 3, 4 })) a.grad = g;
        using (var g = torch.tensor(new double[] { 12 })) b.grad = g;
        // Total 2-norm √(9 + 16 + 144) = 13; clipping to 6.5 halves every gradient.
        Assert.AreEqual(13.0, torch.nn.utils.clip_grad_norm_([a, b, none], 6.5), 1e-12);
        double coefficient = 6.5 / (13 + 1e-6);
        AssertGrad([3 * coefficient, 4 * coefficient], a, 1e-12);
        AssertGrad([12 * coefficient], b, 1e-12);
        using (var g = none.grad) Assert.IsNull(g);
        // Below the limit nothing changes.
        Assert.AreEqual(6.5, torch.nn.utils.clip_grad_norm_([a, b], 100), 1e-5);
        AssertGrad([3 * coefficient, 4 * coefficient], a, 1e-12);
        // The infinity norm is the largest magnitude.
        Assert.AreEqual(12 * coefficient, torch.nn.utils.clip_grad_norm_([a, b], 1, double.PositiveInfinity), 1e-9);
        AssertGrad([1], b, 1e-6);
        Assert.AreEqual(0.0, torch.nn.utils.clip_grad_norm_([none], 1));
    }

    private static void AssertGrad(double[] expected, Parameter p, double tolerance)
    {
        using var g = p.grad!;
        var values = g.data<double>().ToArray();
        Assert.HasCount(expected.Length, values);
        for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], values[i], tolerance, $"gradient element {i}");
    }

    [TestMethod]
    public void GradientsFinite_DetectsNaNAndInfinity()
    {
        using var a = NewParameter([0, 0]);
        using var b = NewParameter([0, 0]);
        Assert.IsTrue(GradientChecks.AllFinite([a, b]));
        using (var g = torch.tensor(new double[] { 1, 2 })) a.grad = g;
        Assert.IsTrue(GradientChecks.AllFinite([a, b]));
        using (var g = torch.tensor(new[] { 1, double.NaN })) b.grad = g;
        Assert.IsFalse(GradientChecks.AllFinite([a, b]));
        using (var g = torch.tensor(new[] { double.NegativeInfinity, 0 })) b.grad = g;
        Assert.IsFalse(GradientChecks.AllFinite([a, b]));
        // Finite values whose sum overflows are still finite.
        using (var g = torch.tensor(new[] { 1e308, 1e308 })) b.grad = g;
        Assert.IsTrue(double.IsInfinity(SumOf(b)), "the gradient's own sum overflows");
        Assert.IsTrue(GradientChecks.AllFinite([a, b]));
    }

    private static double SumOf(Parameter p)
    {
        using var scope = torch.NewDisposeScope();
        return p.grad!.sum().item<double>();
    }
}
