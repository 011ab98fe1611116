using Microsoft.ML.Vae.Core.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class SymmetricKlTests : MetricTestBase
{
    [TestMethod]
    public void NearestNeighborEstimateMatchesClosedFormForShiftedGaussians()
    {
        // KL(N(0, I) ‖ N(μ, I)) = ½‖μ‖² = 0.5 for μ = (1, 0); the estimate's spread over seeds is about 0.045.
        torch.manual_seed(11);
        using var scope = torch.NewDisposeScope();
        var p = torch.randn([5000, 2]);
        var q = torch.randn([5000, 2]) + torch.tensor([1f, 0f], 1, 2);
        Assert.AreEqual(0.5, NearestNeighborKl.Estimate(p, q), 0.15);
        Assert.AreEqual(0.5, NearestNeighborKl.Estimate(q, p), 0.15);
    }

    [TestMethod]
    public void NearestNeighborEstimateIsNearZeroForIdenticalDistributions()
    {
        torch.manual_seed(12);
        using var scope = torch.NewDisposeScope();
        var p = torch.randn([5000, 2]);
        var q = torch.randn([5000, 2]);
        Assert.AreEqual(0, NearestNeighborKl.Estimate(p, q), 0.1);
    }

    [TestMethod]
    public void NearestNeighborEstimateMatchesDirectFormulaOnSmallSets()
    {
        // Hand-checkable sets in 1-D: P = {0, 1, 3}, Q = {0.5, 2.5}.
        // r = (1, 1, 2), s = (0.5, 0.5, 0.5): D̂ = (1/3)(log .5 + log .5 + log .25) + log(2/2).
        using var scope = torch.NewDisposeScope();
        var p = torch.tensor([0f, 1f, 3f], 3, 1);
        var q = torch.tensor([0.5f, 2.5f], 2, 1);
        double expected = (Math.Log(0.5) + Math.Log(0.5) + Math.Log(0.25)) / 3;
        Assert.AreEqual(expected, NearestNeighborKl.Estimate(p, q), 1e-12);
        // Chunking one row at a time gives the same answer.
        Assert.AreEqual(expected, NearestNeighborKl.Estimate(p, q, maxChunkElements: 1), 1e-12);
    }

    [TestMethod]
    public void DuplicateSamplesAreFlooredNotInfinite()
    {
        using var scope = torch.NewDisposeScope();
        var p = torch.tensor([0f, 0f, 1f], 3, 1);   // rows 0 and 1 coincide: r = 0 for both
        var q = torch.tensor([0f, 2f], 2, 1);       // coincides with P row 0: s = 0
        double estimate = NearestNeighborKl.Estimate(p, q, minimumDistance: 1e-3);
        // r = (1e-3, 1e-3, 1), s = (1e-3, 1e-3, 1) after the floor: every ratio is 1.
        Assert.AreEqual(Math.Log(2.0 / 2.0), estimate, 1e-12);
    }

    [TestMethod]
    public void NearestNeighborEstimateRejectsBadShapes()
    {
        using var scope = torch.NewDisposeScope();
        var twoD = torch.randn([10, 2]);
        var threeD = torch.randn([10, 3]);
        var single = torch.randn([1, 2]);
        var vector = torch.randn([10]);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => NearestNeighborKl.Estimate(twoD, threeD)).Message, "dimensions");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => NearestNeighborKl.Estimate(single, twoD)).Message, "at least 2");
        Assert.ThrowsExactly<ArgumentException>(() => NearestNeighborKl.Estimate(vector, twoD));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => NearestNeighborKl.Estimate(twoD, twoD, minimumDistance: 0));
    }

    [TestMethod]
    public void AggregatePosteriorEqualToPriorGivesSmallSymmetricKl()
    {
        // Data x ~ N(0, I), posterior N(0.8x, 0.36 I): the aggregate posterior is N(0, I), the prior.
        using var data = GaussianData(2000, 21);
        var model = new MetricTestModel(2, [2],
            x => (x * 0.8, torch.full_like(x, Math.Log(0.36))),
            z => z.clone());
        var result = SymmetricKl.Compute(model, data, samples: 2000, seed: 3);
        Assert.IsTrue(result.InGenerationSpace);
        Assert.AreEqual(result.PriorToPosterior + result.PosteriorToPrior, result.Value, 1e-12);
        // Two estimates from 2000 samples each: the spread over seeds is about 0.09.
        Assert.AreEqual(0, result.Value, 0.35, $"sKL {result.Value}");
        Assert.IsFalse(model.Training, "metrics run in evaluation mode");
    }

    [TestMethod]
    public void ComparisonIsMadeInGenerationSpace()
    {
        // Aggregate posterior N(c, s²I) with c = (3, −2), s = (2, 0.5); the affine prior with the
        // same c and s maps it to N(0, I) in generation space, the standard prior does not.
        double[] c = [3, -2], s = [2, 0.5];
        using var data = GaussianData(2000, 22);
        Func<Tensor, (Tensor, Tensor)> encode = x =>
        {
            using var scope = torch.NewDisposeScope();
            var mean = x * 0.8 * torch.tensor(s.Select(v => (float)v).ToArray(), 1, 2) + torch.tensor(c.Select(v => (float)v).ToArray(), 1, 2);
            var logVar = torch.zeros_like(x) + torch.tensor(s.Select(v => (float)Math.Log(0.36 * v * v)).ToArray(), 1, 2);
            return (mean.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope());
        };
        var matched = new MetricTestModel(2, [2], encode, z => z.clone(), new MetricTestAffinePrior(c, s));
        var mismatched = new MetricTestModel(2, [2], encode, z => z.clone());
        var plain = new MetricTestModel(2, [2], encode, z => z.clone(), new MetricTestPlainGaussianPrior(c, s));

        var good = SymmetricKl.Compute(matched, data, samples: 2000, seed: 4);
        var bad = SymmetricKl.Compute(mismatched, data, samples: 2000, seed: 4);
        var latent = SymmetricKl.Compute(plain, data, samples: 2000, seed: 4);
        Assert.AreEqual(0, good.Value, 0.35, $"matched flow prior: {good.Value}");
        Assert.IsTrue(bad.Value > 3, $"standard prior against a shifted posterior: {bad.Value}");
        Assert.IsFalse(latent.InGenerationSpace);
        Assert.AreEqual(0, latent.Value, 0.35, $"plain prior compared in latent space: {latent.Value}");
    }

    [TestMethod]
    public void SameSeedGivesSameResult()
    {
        using var data = GaussianData(300, 23);
        var model = MetricTestModel.IdentityEncoder(2, 0.5);
        var a = SymmetricKl.Compute(model, data, samples: 500, seed: 9);
        var b = SymmetricKl.Compute(model, data, samples: 500, seed: 9);
        var c = SymmetricKl.Compute(model, data, samples: 500, seed: 10);
        Assert.AreEqual(a, b);
        Assert.AreNotEqual(a.Value, c.Value);
    }

    [TestMethod]
    public void RejectsMismatchedAndEmptyData()
    {
        var model = MetricTestModel.IdentityEncoder(2, 0.5);
        using var wrongShape = torch.zeros([10, 3]);
        using var empty = torch.zeros([0, 2]);
        using var integers = torch.zeros([10, 2], ScalarType.Int64);
        using var good = torch.zeros([10, 2]);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => SymmetricKl.Compute(model, wrongShape)).Message, "[N, 2]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => SymmetricKl.Compute(model, empty)).Message, "no samples");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => SymmetricKl.Compute(model, integers)).Message, "floating point");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SymmetricKl.Compute(model, good, samples: 1));
    }

    private static Tensor GaussianData(long n, long seed)
    {
        torch.manual_seed(seed);
        return torch.randn([n, 2]);
    }
}
