namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Reductions over all, one or several dimensions, with and without keepDim.</summary>
[TestClass]
public sealed class ReductionTests : TorchTestBase
{
    // [[1, 2, 3],
    //  [4, 6, 11]]
    private static Tensor Matrix() => Tensor.From(new double[] { 1, 2, 3, 4, 6, 11 }, 2, 3);

    [TestMethod]
    public void SumAndMean()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Matrix();
        Assert.AreEqual(27.0, x.Sum().Item());
        Assert.AreEqual(4.5, x.Mean().Item());
        Assert.AreEqual(0, x.Sum().Dim);
        TensorAssert.Close([5, 8, 14], x.Sum(0), 0, [3]);
        TensorAssert.Close([6, 21], x.Sum(1), 0, [2]);
        TensorAssert.Close([6, 21], x.Sum(-1, keepDim: true), 0, [2, 1]);
        TensorAssert.Close([27], x.Sum([0, 1], keepDim: true), 0, [1, 1]);
        TensorAssert.Close([2.5, 4, 7], x.Mean(0), 0, [3]);
        TensorAssert.Close([2, 7], x.Mean(1, keepDim: true), 0, [2, 1]);
        TensorAssert.Close([4.5], x.Mean([1, 0]), 0, []);
        // Integer sums are exact and stay integral.
        var ints = Tensor.From(new long[] { 1, 2, 3, 4 }, 2, 2);
        Assert.AreEqual(DType.Int64, ints.Sum().DType);
        TensorAssert.Equal([4, 6], ints.Sum(0));
    }

    [TestMethod]
    public void VarAndStd_BiasedAndUnbiased()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Matrix();
        // Row 0: mean 2, squared deviations 1+0+1 = 2; row 1: mean 7, 9+1+16 = 26.
        TensorAssert.Close([1, 13], x.Var(1), 1e-14, [2]);
        TensorAssert.Close([2.0 / 3, 26.0 / 3], x.Var(1, unbiased: false), 1e-14);
        TensorAssert.Close([1, Math.Sqrt(13)], x.Std(1), 1e-14);
        TensorAssert.Close([Math.Sqrt(2.0 / 3), Math.Sqrt(26.0 / 3)], x.Std(1, unbiased: false, keepDim: true), 1e-14, [2, 1]);
        // Column 2: values 3 and 11, mean 7, deviations ±4.
        TensorAssert.Close([4.5, 8, 32], x.Var(0), 1e-14, [3]);
        // Everything: mean 4.5, squared deviations sum 65.5.
        Assert.AreEqual(65.5 / 5, x.Var().Item(), 1e-14);
        Assert.AreEqual(Math.Sqrt(65.5 / 6), x.Std(unbiased: false).Item(), 1e-14);
        TensorAssert.Close([65.5 / 5], x.Var([0, 1], keepDim: true), 1e-14, [1, 1]);
    }

    [TestMethod]
    public void MaxMin_WithIndices()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 3, 9, 1, 7, 2, 8 }, 2, 3);
        Assert.AreEqual(9.0, x.Max().Item());
        Assert.AreEqual(1.0, x.Min().Item());
        var (values, indices) = x.Max(1);
        TensorAssert.Close([9, 8], values, 0, [2]);
        TensorAssert.Equal([1, 2], indices, [2]);
        Assert.AreEqual(DType.Int64, indices.DType);
        var (minValues, minIndices) = x.Min(0, keepDim: true);
        TensorAssert.Close([3, 2, 1], minValues, 0, [1, 3]);
        TensorAssert.Equal([0, 1, 0], minIndices, [1, 3]);
        TensorAssert.Close([7, 9, 8], x.AMax(0), 0);
        TensorAssert.Close([1, 2], x.AMin(1), 0);
        TensorAssert.Equal([1, 0, 1], x.ArgMax(0), [3]);
        TensorAssert.Equal([1, 2], x.ArgMax(-1), [2]);
        TensorAssert.Equal([2, 1], x.ArgMin(1, keepDim: true), [2, 1]);
        foreach (var t in new[] { values, indices, minValues, minIndices }) Assert.IsFalse(t.IsDisposed);
    }

    [TestMethod]
    public void LogSumExp_IsStable()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 0, Math.Log(3), 1000, 1000 }, 2, 2);
        // log(1 + 3) = log 4; log(2·e^1000) = 1000 + log 2.
        TensorAssert.Close([Math.Log(4), 1000 + Math.Log(2)], x.LogSumExp(1), 1e-12, [2]);
        TensorAssert.Close([Math.Log(4), 1000 + Math.Log(2)], x.LogSumExp(-1, keepDim: true), 1e-12, [2, 1]);
        TensorAssert.Close([1000 + Math.Log(2) + Math.Log(1 + 4 * Math.Exp(-1000 - Math.Log(2)))], x.LogSumExp([0, 1]), 1e-12, []);
    }

    [TestMethod]
    public void Norm_OfEveryOrder()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 3, -4, 0, 12 }, 2, 2);
        Assert.AreEqual(13.0, x.Norm().Item(), 1e-12);
        Assert.AreEqual(19.0, x.Norm(1).Item(), 1e-12);
        Assert.AreEqual(12.0, x.Norm(double.PositiveInfinity).Item(), 1e-12);
        Assert.AreEqual(Math.Pow(27 + 64 + 1728, 1.0 / 3), x.Norm(3).Item(), 1e-12);
        TensorAssert.Close([5, 12], x.Norm(2, [1]), 1e-12, [2]);
        TensorAssert.Close([3, 16], x.Norm(1, [0], keepDim: true), 1e-12, [1, 2]);
    }

    [TestMethod]
    public void CumSum_AlongEachDim()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Matrix();
        TensorAssert.Close([1, 3, 6, 4, 10, 21], x.CumSum(1), 0, [2, 3]);
        TensorAssert.Close([1, 2, 3, 5, 8, 14], x.CumSum(0), 0, [2, 3]);
    }

    [TestMethod]
    public void AllAndAny()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new[] { true, false, true, true }, 2, 2);
        Assert.AreEqual(0.0, x.All().Item());
        Assert.AreEqual(1.0, x.Any().Item());
        Assert.AreEqual(0.0, Torch.Zeros([3]).Any().Item());
    }
}
