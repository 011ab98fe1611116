using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// <see cref="KlNoise"/>: the fast generator for float32 CPU draws (with the mean squared norms),
/// <see cref="Torch.Randn"/> otherwise, and a Monte-Carlo KL that is the same whether the norms come
/// with the noise or are computed from it.
/// </summary>
[TestClass]
public sealed class KlNoiseTests
{
    [TestMethod]
    public void Draw_Float32Cpu_CarriesTheMeanSquaredNorms()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(5);
        var sets = KlNoise.Draw(3, 20, 7, 2, DType.Float32, default);
        Assert.HasCount(3, sets);
        foreach (var set in sets)
        {
            CollectionAssert.AreEqual(new long[] { 20, 7, 2 }, set.Samples.Shape.ToArray());
            Assert.IsNotNull(set.MeanSquaredNorm);
            var computed = new KlNoise(set.Samples).MeanSquaredNormFor(7).ToArray<float>();
            var carried = set.MeanSquaredNorm!.ToArray<float>();
            for (int i = 0; i < 7; i++) Assert.AreEqual(computed[i], carried[i], 1e-5 * Math.Max(1, computed[i]));
        }
        CollectionAssert.AreNotEqual(sets[0].Samples.ToArray<float>(), sets[1].Samples.ToArray<float>(), "the sets are independent draws");
    }

    [TestMethod]
    public void Draw_Float64_FallsBackToRandnWithoutNorms()
    {
        using var scope = Torch.NewDisposeScope();
        var set = KlNoise.Draw(1, 4, 3, 2, DType.Float64, default)[0];
        Assert.AreEqual(DType.Float64, set.Samples.DType);
        Assert.IsNull(set.MeanSquaredNorm);
        CollectionAssert.AreEqual(new long[] { 3 }, set.MeanSquaredNormFor(3).Shape.ToArray());
    }

    [TestMethod]
    public void Estimate_IsTheSameWithCarriedOrComputedNorms()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(9);
        var mean = Torch.Randn([16, 2]);
        var logVar = Torch.Randn([16, 2]) * 0.2 - 1;
        var prior = new MixturePriorParameters(Torch.Randn([10, 2]), Torch.Randn([10, 2]) * 0.2, Torch.Randn([10]).LogSoftmax(0));
        var noise = MixturePriorKl.DrawKlNoise(mean, 100);
        Assert.IsNotNull(noise.MeanSquaredNorm);
        var carried = MixturePriorKl.Estimate(mean, logVar, prior, noise).PerSample.ToArray<float>();
        var computed = MixturePriorKl.Estimate(mean, logVar, prior, noise.Samples).PerSample.ToArray<float>();
        for (int i = 0; i < 16; i++) Assert.AreEqual(computed[i], carried[i], 1e-5, $"row {i}");
    }

    [TestMethod]
    public void Estimate_RefusesNormsOfTheWrongShape()
    {
        using var scope = Torch.NewDisposeScope();
        var mean = Torch.Randn([4, 2]);
        var bad = new KlNoise(Torch.Randn([10, 4, 2]), Torch.Ones([5]));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => MixturePriorKl.Estimate(mean, mean, null, bad));
        StringAssert.Contains(ex.Message, "mean squared norms");
    }

    [TestMethod]
    public void Draw_RefusesEmptySizes()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => KlNoise.Draw(0, 10, 4, 2, DType.Float32, default));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => KlNoise.Draw(1, 0, 4, 2, DType.Float32, default));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => KlNoise.Draw(1, 10, 0, 2, DType.Float32, default));
    }
}
