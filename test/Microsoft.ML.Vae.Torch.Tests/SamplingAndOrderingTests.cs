namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Random draws from given probabilities, and ordering ops (top-k, sort).</summary>
[TestClass]
public sealed class SamplingAndOrderingTests : TorchTestBase
{
    [TestMethod]
    public void Multinomial_WithReplacement_FollowsTheWeights()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(11);
        // Unnormalized weights 1:0:3 → probabilities 0.25, 0, 0.75.
        var draws = Torch.Multinomial(Tensor.From(new double[] { 1, 0, 3 }), 20_000, replacement: true);
        Assert.AreEqual(DType.Int64, draws.DType);
        TensorAssert.Shape([20_000], draws);
        var counts = draws.BinCount(3).ToArray<long>();
        Assert.AreEqual(0L, counts[1], "A zero-weight category is never drawn.");
        Assert.AreEqual(0.25, counts[0] / 20_000.0, 0.015);
    }

    [TestMethod]
    public void Multinomial_WithoutReplacement_DrawsDistinctCategoriesPerRow()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(12);
        var probs = Torch.Ones([4, 6], DType.Float64);
        var draws = Torch.Multinomial(probs, 6);
        TensorAssert.Shape([4, 6], draws);
        var all = draws.ToArray<long>();
        for (int row = 0; row < 4; row++)
            CollectionAssert.AreEquivalent(new long[] { 0, 1, 2, 3, 4, 5 }, all.Skip(row * 6).Take(6).ToArray());
        Assert.ThrowsExactly<ArgumentException>(() => Torch.Multinomial(probs, 7));
    }

    [TestMethod]
    public void Bernoulli_MatchesProbabilities()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(13);
        var p = Torch.Full([10_000], 0.3, DType.Float64);
        var b = Torch.Bernoulli(p);
        var values = b.ToArray<double>();
        Assert.IsTrue(values.All(v => v is 0 or 1));
        Assert.AreEqual(0.3, values.Average(), 0.023);
        Assert.AreEqual(0.0, Torch.Bernoulli(Torch.Zeros([100])).Sum().Item());
        Assert.AreEqual(100.0, Torch.Bernoulli(Torch.Ones([100])).Sum().Item());
    }

    [TestMethod]
    public void TopK_LargestAndSmallest()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 5, 1, 9, 3, 7, 2, 8, 6 }, 2, 4);
        var (values, indices) = x.TopK(2);
        TensorAssert.Close([9, 5, 8, 7], values, 0, [2, 2]);
        TensorAssert.Equal([2, 0, 2, 0], indices, [2, 2]);
        var (small, smallIdx) = x.TopK(1, dim: 0, largest: false);
        TensorAssert.Close([5, 1, 8, 3], small, 0, [1, 4]);
        TensorAssert.Equal([0, 0, 1, 0], smallIdx);
    }

    [TestMethod]
    public void Sort_AscendingAndDescending()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 3, -1, 2, 0, 10, -5 }, 2, 3);
        var (asc, ascIdx) = x.Sort();
        TensorAssert.Close([-1, 2, 3, -5, 0, 10], asc, 0, [2, 3]);
        TensorAssert.Equal([1, 2, 0, 2, 0, 1], ascIdx);
        var (desc, descIdx) = x.Sort(0, descending: true);
        TensorAssert.Close([3, 10, 2, 0, -1, -5], desc, 0, [2, 3]);
        TensorAssert.Equal([0, 1, 0, 1, 0, 1], descIdx);
        // Sorting gives back the gathered input.
        TensorAssert.Close(asc, x.Gather(1, ascIdx), 0);
    }
}
