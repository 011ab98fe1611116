using Microsoft.ML.Vae.Core.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class LeakageTests : MetricTestBase
{
    // Hand-made log-densities: gaps ℓ_q − ℓ_p = 99, 10, −5, 5, 2.
    private static readonly double[] LogPrior = [-100, -60, -20, -5, 0];
    private static readonly double[] LogAggregate = [-1, -50, -25, 0, 2];
    private static readonly double[] Thresholds = [-200, -90, -50, -10, -1, 3, 100];

    [TestMethod]
    public void PriorThresholdModeSelectsSamplesBelowTheThreshold()
    {
        var result = LeakageScore.FromLogDensities(LogPrior, LogAggregate, Thresholds, LeakageThresholdMode.PriorLogDensityBelow);
        int[] counts = [0, 1, 2, 3, 4, 5, 5];
        double[] values = [0, 99, (99 + 10) / 2.0, (99 + 10 - 5) / 3.0, (99 + 10 - 5 + 5) / 4.0, 111 / 5.0, 111 / 5.0];
        AssertPoints(counts, values, result);
        Assert.AreEqual(5, result.Samples);
    }

    [TestMethod]
    public void GapThresholdModeSelectsSamplesWhoseGapExceedsTheThreshold()
    {
        var result = LeakageScore.FromLogDensities(LogPrior, LogAggregate, Thresholds, LeakageThresholdMode.LogDensityGapAbove);
        int[] counts = [5, 5, 5, 5, 4, 3, 0];
        double[] values = [111 / 5.0, 111 / 5.0, 111 / 5.0, 111 / 5.0, (99 + 10 + 5 + 2) / 4.0, (99 + 10 + 5) / 3.0, 0];
        AssertPoints(counts, values, result);
    }

    [TestMethod]
    public void PosteriorOnThePriorHasNoLeakage()
    {
        // Every encoding is N(0, I), so the aggregate posterior is the prior exactly.
        var model = new MetricTestModel(2, [2], x => (torch.zeros_like(x), torch.zeros_like(x)), z => z.clone());
        using var data = torch.randn([200, 2]);
        var result = LeakageScore.Compute(model, data, new LeakageOptions { Samples = 1000, Encodings = 200 }, seed: 1);
        Assert.HasCount(6, result.Points);
        CollectionAssert.AreEqual(LeakageOptions.DefaultThresholds.ToArray(), result.Points.Select(p => p.Threshold).ToArray());
        // ℓ_p comes from the prior in float32, hence the tolerance.
        foreach (var point in result.Points) Assert.AreEqual(0, point.Value, 1e-5, $"τ = {point.Threshold}");
        // ℓ_p = −‖z‖²/2 − log 2π < −1 holds for every z in 2-D.
        Assert.AreEqual(1000, result.Points[^1].Count);
        Assert.AreEqual(0, result.Points[0].Count);
    }

    [TestMethod]
    public void PosteriorMassFarFromThePriorLeaks()
    {
        // Encodings N(±8 e₁, 0.05² I): ℓ_p ≈ −33.8 for every sample, ℓ_q ≈ +2.5.
        using var data = torch.tensor(Enumerable.Range(0, 100).SelectMany(i => new[] { i % 2 == 0 ? 8f : -8f, 0f }).ToArray(), 100, 2);
        var model = MetricTestModel.IdentityEncoder(2, 0.05);
        var result = LeakageScore.Compute(model, data, new LeakageOptions { Samples = 600, Encodings = 100 }, seed: 2);
        CollectionAssert.AreEqual(new[] { 0, 0, 0, 600, 600, 600 }, result.Points.Select(p => p.Count).ToArray());
        for (int i = 0; i < 3; i++) Assert.AreEqual(0, result.Points[i].Value);
        // Expected gap: log ½ − log(2π·0.05²) − E[χ²₂]/2 + E‖z‖²/2 + log 2π ≈ −0.693 + 4.154 − 1 + 32.003 + 1.838 = 36.30
        // (standard deviation ≈ 1.1 per sample, 0.05 for the mean of 600).
        for (int i = 3; i < 6; i++) Assert.AreEqual(36.30, result.Points[i].Value, 0.3, $"τ = {result.Points[i].Threshold}");

        var gap = LeakageScore.Compute(model, data,
            new LeakageOptions { Samples = 600, Encodings = 100, ThresholdMode = LeakageThresholdMode.LogDensityGapAbove }, seed: 2);
        Assert.IsTrue(gap.Points.All(p => p.Count == 600), "every gap exceeds every negative threshold");
    }

    [TestMethod]
    public void CodeReproductionDropsTheFlowJacobian()
    {
        // With the affine flow g(z) = (z − c)/s, log p(z) = log N(g(z)) + log|det| with a constant
        // log|det| = −Σ log s; dropping it shifts every gap by exactly that constant.
        var prior = new MetricTestAffinePrior([1, -1], [2, 0.5 * Math.E]);
        var model = MetricTestModel.IdentityEncoder(2, 0.3, prior);
        using var data = torch.randn([100, 2]);
        double[] everything = [1e9];
        var exact = LeakageScore.Compute(model, data, new LeakageOptions { Samples = 300, Encodings = 100, Thresholds = everything }, seed: 5);
        var code = LeakageScore.Compute(model, data,
            new LeakageOptions { Samples = 300, Encodings = 100, Thresholds = everything, PriorDensityInGenerationSpaceWithoutJacobian = true }, seed: 5);
        Assert.AreEqual(300, exact.Points[0].Count);
        Assert.AreEqual(300, code.Points[0].Count);
        Assert.AreEqual(prior.LogDet, code.Points[0].Value - exact.Points[0].Value, 1e-6);
    }

    [TestMethod]
    public void RejectsBadInput()
    {
        var model = MetricTestModel.IdentityEncoder(2, 0.3);
        using var data = torch.randn([10, 2]);
        using var wrong = torch.randn([10, 1, 2]);
        using var empty = torch.zeros([0, 2]);
        Assert.ThrowsExactly<ArgumentException>(() => LeakageScore.Compute(model, wrong));
        Assert.ThrowsExactly<ArgumentException>(() => LeakageScore.Compute(model, empty));
        Assert.ThrowsExactly<ArgumentException>(() => LeakageScore.Compute(model, data, new LeakageOptions { Thresholds = [] }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LeakageScore.Compute(model, data, new LeakageOptions { Samples = 0 }));
        StringAssert.Contains(
            Assert.ThrowsExactly<ArgumentException>(() => LeakageScore.FromLogDensities([1, 2], [1], [0])).Message, "pair up");
    }

    private static void AssertPoints(int[] counts, double[] values, LeakageResult result)
    {
        Assert.HasCount(counts.Length, result.Points);
        for (int i = 0; i < counts.Length; i++)
        {
            Assert.AreEqual(Thresholds[i], result.Points[i].Threshold);
            Assert.AreEqual(counts[i], result.Points[i].Count, $"count at τ = {Thresholds[i]}");
            Assert.AreEqual(values[i], result.Points[i].Value, 1e-12, $"value at τ = {Thresholds[i]}");
        }
    }
}
