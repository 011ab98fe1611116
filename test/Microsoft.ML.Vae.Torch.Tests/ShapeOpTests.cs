namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Views, reshapes, joins, splits and indexing.</summary>
[TestClass]
public sealed class ShapeOpTests : TorchTestBase
{
    // [[0, 1, 2],
    //  [3, 4, 5]]
    private static Tensor M() => Torch.Arange(6, DType.Float64).View(2, 3);

    [TestMethod]
    public void ViewAndReshape_KeepRowMajorOrder()
    {
        using var scope = Torch.NewDisposeScope();
        var x = M();
        TensorAssert.Close([0, 1, 2, 3, 4, 5], x.View(3, 2), 0, [3, 2]);
        TensorAssert.Close([0, 1, 2, 3, 4, 5], x.Reshape(-1), 0, [6]);
        TensorAssert.Shape([1, 6, 1], x.Reshape(1, -1, 1));
        // A view shares storage with its base.
        var v = x.View(6);
        v.Narrow(0, 0, 1).Fill_(42);
        Assert.AreEqual(42.0, x.ToArray<double>()[0]);
        // A transposed tensor cannot be viewed but can be reshaped (which copies).
        var t = M().T;
        Assert.IsFalse(t.IsContiguous);
        Assert.ThrowsExactly<ArgumentException>(() => t.View(6));
        TensorAssert.Close([0, 3, 1, 4, 2, 5], t.Reshape(6), 0);
    }

    [TestMethod]
    public void PermuteTransposeContiguous()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Arange(24, DType.Float64).View(2, 3, 4);
        var p = x.Permute(2, 0, 1);
        TensorAssert.Shape([4, 2, 3], p);
        // p[i, j, k] = x[j, k, i] = 12j + 4k + i.
        var expected = new List<double>();
        for (int i = 0; i < 4; i++) for (int j = 0; j < 2; j++) for (int k = 0; k < 3; k++) expected.Add(12 * j + 4 * k + i);
        TensorAssert.Close(expected.ToArray(), p, 0);
        Assert.IsFalse(p.IsContiguous);
        var c = p.Contiguous();
        Assert.IsTrue(c.IsContiguous);
        TensorAssert.Close(expected.ToArray(), c.View(24), 0);
        TensorAssert.Close([0, 3, 1, 4, 2, 5], M().Transpose(0, 1), 0, [3, 2]);
        TensorAssert.Shape([2, 4, 3], x.Transpose(-1, -2));
    }

    [TestMethod]
    public void FlattenSqueezeUnsqueeze()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Zeros([2, 1, 3, 1]);
        TensorAssert.Shape([2, 3], x.Squeeze());
        TensorAssert.Shape([2, 3, 1], x.Squeeze(1));
        TensorAssert.Shape([2, 1, 3, 1], x.Squeeze(0)); // not of size 1: unchanged
        TensorAssert.Shape([2, 1, 3], x.Squeeze(-1));
        TensorAssert.Shape([1, 2, 1, 3, 1], x.Unsqueeze(0));
        TensorAssert.Shape([2, 1, 3, 1, 1], x.Unsqueeze(-1));
        TensorAssert.Shape([6], x.Flatten());
        TensorAssert.Shape([2, 3], x.Flatten(1));
        TensorAssert.Shape([2, 3, 1], x.Flatten(1, 2));
    }

    [TestMethod]
    public void ExpandRepeatFlip()
    {
        using var scope = Torch.NewDisposeScope();
        var row = Tensor.From(new double[] { 1, 2, 3 }, 1, 3);
        TensorAssert.Close([1, 2, 3, 1, 2, 3], row.Expand(2, 3), 0, [2, 3]);
        TensorAssert.Close([1, 2, 3, 1, 2, 3], row.Expand(2, -1), 0, [2, 3]);
        TensorAssert.Close([1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3], row.Repeat(2, 2), 0, [2, 6]);
        TensorAssert.Close([2, 1, 0, 5, 4, 3], M().Flip(1), 0);
        TensorAssert.Close([5, 4, 3, 2, 1, 0], M().Flip(0, 1), 0);
    }

    [TestMethod]
    public void CatAndStack()
    {
        using var scope = Torch.NewDisposeScope();
        var a = M();
        var b = Tensor.From(new double[] { 6, 7, 8 }, 1, 3);
        TensorAssert.Close([0, 1, 2, 3, 4, 5, 6, 7, 8], Torch.Cat([a, b]), 0, [3, 3]);
        TensorAssert.Close([0, 1, 2, 0, 3, 4, 5, 0], Torch.Cat([a, Torch.Zeros([2, 1], DType.Float64)], 1), 0, [2, 4]);
        var s = Torch.Stack([a, a * 10]);
        TensorAssert.Shape([2, 2, 3], s);
        TensorAssert.Close([0, 1, 2, 3, 4, 5, 0, 10, 20, 30, 40, 50], s, 0);
        TensorAssert.Close([0, 0, 1, 10, 2, 20, 3, 30, 4, 40, 5, 50], Torch.Stack([a, a * 10], -1), 0, [2, 3, 2]);
        Assert.ThrowsExactly<ArgumentException>(() => Torch.Cat([]));
    }

    [TestMethod]
    public void ChunkAndSplit()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Arange(7, DType.Float64);
        var chunks = x.Chunk(3);
        Assert.HasCount(3, chunks);
        TensorAssert.Close([0, 1, 2], chunks[0], 0);
        TensorAssert.Close([3, 4, 5], chunks[1], 0);
        TensorAssert.Close([6], chunks[2], 0);
        var parts = x.Split(2);
        Assert.HasCount(4, parts);
        TensorAssert.Close([6], parts[3], 0);
        var cols = M().Split(2, 1);
        Assert.HasCount(2, cols);
        TensorAssert.Close([0, 1, 3, 4], cols[0], 0, [2, 2]);
        TensorAssert.Close([2, 5], cols[1], 0, [2, 1]);
        var halves = M().Chunk(2, 0);
        TensorAssert.Close([3, 4, 5], halves[1], 0, [1, 3]);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => x.Chunk(0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => x.Split(0));
    }

    [TestMethod]
    public void NarrowSelectSlice()
    {
        using var scope = Torch.NewDisposeScope();
        var x = M();
        TensorAssert.Close([1, 2, 4, 5], x.Narrow(1, 1, 2), 0, [2, 2]);
        TensorAssert.Close([3, 4, 5], x.Select(0, 1), 0, [3]);
        TensorAssert.Close([2, 5], x.Select(1, -1), 0, [2]);
        TensorAssert.Close([0, 2, 3, 5], x.Slice(1, 0, 3, 2), 0, [2, 2]);
        TensorAssert.Close([0, 3, 6, 9], Torch.Arange(12, DType.Float64).Slice(0, 0, 12, 3), 0);
    }

    [TestMethod]
    public void IndexSelectGatherScatterAdd()
    {
        using var scope = Torch.NewDisposeScope();
        var x = M();
        var idx = Tensor.From(new long[] { 2, 0, 2 });
        TensorAssert.Close([2, 0, 2, 5, 3, 5], x.IndexSelect(1, idx), 0, [2, 3]);
        TensorAssert.Close([3, 4, 5, 0, 1, 2], x.IndexSelect(0, Tensor.From(new long[] { 1, 0 })), 0, [2, 3]);
        // gather(1, [[2, 1], [0, 0]]) picks x[0,2], x[0,1], x[1,0], x[1,0].
        var g = Tensor.From(new long[] { 2, 1, 0, 0 }, 2, 2);
        TensorAssert.Close([2, 1, 3, 3], x.Gather(1, g), 0, [2, 2]);
        // scatter_add accumulates repeated indices.
        var target = Torch.Zeros([2, 3], DType.Float64);
        TensorAssert.Close([0, 1, 2, 6, 0, 0], target.ScatterAdd(1, g, Tensor.From(new double[] { 2, 1, 3, 3 }, 2, 2)), 0);
    }

    [TestMethod]
    public void MaskedFillAndMaskedSelect()
    {
        using var scope = Torch.NewDisposeScope();
        var x = M();
        var mask = x.Remainder(2).Eq(1);
        TensorAssert.Close([0, -1, 2, -1, 4, -1], x.MaskedFill(mask, -1), 0, [2, 3]);
        TensorAssert.Close([1, 3, 5], x.MaskedSelect(mask), 0, [3]);
        // A broadcast [3] mask applies to every row.
        TensorAssert.Close([7, 1, 7, 7, 4, 7], x.MaskedFill(Tensor.From(new[] { true, false, true }), 7), 0);
        TensorAssert.Equal([0, 1, 1, 0, 1, 2], mask.NonZero(), [3, 2]);
    }

    [TestMethod]
    public void TrilDiagonalDiagEmbed()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Arange(9, DType.Float64).View(3, 3);
        TensorAssert.Close([0, 0, 0, 3, 4, 0, 6, 7, 8], x.Tril(), 0);
        TensorAssert.Close([0, 0, 0, 3, 0, 0, 6, 7, 0], x.Tril(-1), 0);
        TensorAssert.Close([0, 4, 8], x.Diagonal(), 0);
        TensorAssert.Close([1, 5], x.Diagonal(1), 0);
        TensorAssert.Close([1, 0, 0, 2], Tensor.From(new double[] { 1, 2 }).DiagEmbed(), 0, [2, 2]);
    }

    [TestMethod]
    public void BinCountHistcPad()
    {
        using var scope = Torch.NewDisposeScope();
        TensorAssert.Equal([1, 3, 0, 1, 0], Tensor.From(new long[] { 1, 3, 1, 0, 1 }).BinCount(5));
        TensorAssert.Close([2, 1, 0, 1], Tensor.From(new double[] { 0.1, 0.2, 0.3, 0.9 }).Histc(4, 0, 1), 0);
        var x = Tensor.From(new double[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        TensorAssert.Close([0, 1, 2, 0, 0, 3, 4, 0], Functional.Pad(x, [1, 1]), 0, [1, 1, 2, 4]);
        TensorAssert.Close([5, 5, 5, 5, 5, 1, 2, 5, 5, 3, 4, 5], Functional.Pad(x, [1, 1, 1, 0], Functional.PadMode.Constant, 5), 0, [1, 1, 3, 4]);
        TensorAssert.Close([2, 1, 2, 1, 4, 3, 4, 3], Functional.Pad(x, [1, 1, 0, 0], Functional.PadMode.Reflect), 0, [1, 1, 2, 4]);
        TensorAssert.Close([1, 1, 2, 2, 3, 3, 4, 4], Functional.Pad(x, [1, 1, 0, 0], Functional.PadMode.Replicate), 0, [1, 1, 2, 4]);
    }
}
