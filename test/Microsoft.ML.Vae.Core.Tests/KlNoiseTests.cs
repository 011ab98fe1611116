using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static Microsoft.ML.Vae.Core.Tests.KernelsTestSupport;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// <see cref="KlNoise"/>: the fast generator for float32 CPU draws (with the mean squared norms),
/// <c>torch.randn</c> otherwise, and a Monte-Carlo KL that is the same whether the norms come
/// with the noise or are computed from it.
/// </summary>
[TestClass]
public sealed class KlNoiseTests
{
    [TestMethod]
    public void Draw_Float32Cpu_CarriesTheMeanSquaredNorms()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        var sets = KlNoise.Draw(3, 20, 7, 2, ScalarType.Float32, torch.CPU);
        Assert.HasCount(3, sets);
        foreach (var set in sets)
        {
            CollectionAssert.AreEqual(new long[] { 20, 7, 2 }, set.Samples.shape);
            Assert.IsNotNull(set.MeanSquaredNorm);
            var computed = Floats(new KlNoise(set.Samples).MeanSquaredNormFor(7));
            var carried = Floats(set.MeanSquaredNorm!);
            for (int i = 0; i < 7; i++) Assert.AreEqual(computed[i], carried[i], 1e-5 * Math.Max(1, computed[i]));
        }
        CollectionAssert.AreNotEqual(Floats(sets[0].Samples), Floats(sets[1].Samples), "the sets are independent draws");
    }

    [TestMethod]
    public void Draw_Float64_FallsBackToRandnWithoutNorms()
    {
        using var scope = torch.NewDisposeScope();
        var set = KlNoise.Draw(1, 4, 3, 2, ScalarType.Float64, torch.CPU)[0];
        Assert.AreEqual(ScalarType.Float64, set.Samples.dtype);
        Assert.IsNull(set.MeanSquaredNorm);
        CollectionAssert.AreEqual(new long[] { 3 }, set.MeanSquaredNormFor(3).shape);
    }

    [TestMethod]
    public void Estimate_IsTheSameWithCarriedOrComputedNorms()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(9);
        var mean = torch.randn(16, 2);
        var logVar = torch.randn(16, 2) * 0.2 - 1;
        var prior = new MixturePriorParameters(torch.randn(10, 2), torch.randn(10, 2) * 0.2, torch.randn(10).log_softmax(0));
        var noise = MixturePriorKl.DrawKlNoise(mean, 100);
        Assert.IsNotNull(noise.MeanSquaredNorm);
        var carried = Floats(MixturePriorKl.Estimate(mean, logVar, prior, noise).PerSample);
        var computed = Floats(MixturePriorKl.Estimate(mean, logVar, prior, noise.Samples).PerSample);
        for (int i = 0; i < 16; i++) Assert.AreEqual(computed[i], carried[i], 1e-5, $"row {i}");
    }

    [TestMethod]
    public void Estimate_RefusesNormsOfTheWrongShape()
    {
        using var scope = torch.NewDisposeScope();
        var mean = torch.randn(4, 2);
        var bad = new KlNoise(torch.randn(10, 4, 2), torch.ones(5));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => MixturePriorKl.Estimate(mean, mean, null, bad));
        StringAssert.Contains(ex.Message, "mean squared norms");
    }

    [TestMethod]
    public void Draw_RefusesEmptySizes()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => KlNoise.Draw(0, 10, 4, 2, ScalarType.Float32, torch.CPU));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => KlNoise.Draw(1, 0, 4, 2, ScalarType.Float32, torch.CPU));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => KlNoise.Draw(1, 10, 0, 2, ScalarType.Float32, torch.CPU));
    }
}
