namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Matrix products, distances, symmetric eigendecomposition and log-determinants.</summary>
[TestClass]
public sealed class LinearAlgebraTests : TorchTestBase
{
    [TestMethod]
    public void MatMul_MatrixVectorAndBroadcastBatch()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Tensor.From(new double[] { 1, 2, 3, 4 }, 2, 2);
        var b = Tensor.From(new double[] { 5, 6, 7, 8 }, 2, 2);
        TensorAssert.Close([19, 22, 43, 50], Torch.MatMul(a, b), 0, [2, 2]);
        TensorAssert.Close([19, 22, 43, 50], Torch.Mm(a, b), 0, [2, 2]);
        TensorAssert.Close([3, 7], Torch.MatMul(a, Tensor.From(new double[] { 1, 1 })), 0, [2]);
        // A batch of two matrices times one matrix broadcasts over the batch.
        var batch = Torch.Stack([a, b]);
        TensorAssert.Close([19, 22, 43, 50, 67, 78, 91, 106], Torch.MatMul(batch, b), 0, [2, 2, 2]);
        TensorAssert.Close([19, 22, 43, 50, 67, 78, 91, 106], Torch.Bmm(batch, Torch.Stack([b, b])), 0, [2, 2, 2]);
        TensorAssert.Close([5, 6, 10, 12], Torch.Outer(Tensor.From(new double[] { 1, 2 }), Tensor.From(new double[] { 5, 6 })), 0, [2, 2]);
        TensorAssert.Close([1, 3, 2, 4], a.T, 0, [2, 2]);
    }

    [TestMethod]
    public void Linear_IsXTimesWTransposedPlusBias()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var w = Tensor.From(new double[] { 1, 0, -1, 2, 1, 0 }, 2, 3);
        var bias = Tensor.From(new double[] { 10, 20 });
        // Row 1: [1-3, 2+2] = [-2, 4]; row 2: [4-6, 8+5] = [-2, 13].
        TensorAssert.Close([8, 24, 8, 33], Functional.Linear(x, w, bias), 0, [2, 2]);
        TensorAssert.Close([-2, 4, -2, 13], Functional.Linear(x, w), 0, [2, 2]);
        // Leading batch dimensions pass through.
        TensorAssert.Shape([4, 2, 2], Functional.Linear(x.Expand(4, 2, 3), w, bias));
    }

    [TestMethod]
    public void CDist_ForP1AndP2()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Tensor.From(new double[] { 0, 0, 3, 4 }, 2, 2);
        var b = Tensor.From(new double[] { 0, 0, 1, 0, 3, 0 }, 3, 2);
        TensorAssert.Close([0, 1, 3, 5, Math.Sqrt(20), 4], Torch.CDist(a, b), 1e-12, [2, 3]);
        TensorAssert.Close([0, 1, 3, 7, 6, 4], Torch.CDist(a, b, 1), 1e-12, [2, 3]);
        TensorAssert.Shape([5, 2, 3], Torch.CDist(a.Expand(5, 2, 2), b.Expand(5, 3, 2)));
    }

    [TestMethod]
    public void Eigh_KnownSpectrum()
    {
        using var scope = Torch.NewDisposeScope();
        var (w, v) = Torch.Eigh(Tensor.From(new double[] { 2, 1, 1, 2 }, 2, 2));
        TensorAssert.Close([1, 3], w, 1e-14, [2]);
        // Eigenvectors up to sign: (1, -1)/√2 for 1 and (1, 1)/√2 for 3.
        var vs = v.ToArray<double>();
        Assert.AreEqual(0, vs[0] + vs[2], 1e-14);
        Assert.AreEqual(0, vs[1] - vs[3], 1e-14);
        Assert.AreEqual(1 / Math.Sqrt(2), Math.Abs(vs[0]), 1e-14);
    }

    [TestMethod]
    public void Eigh_ReconstructsARandomSymmetricMatrix()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(3);
        var m = Torch.Randn([5, 5], DType.Float64);
        var a = (m + m.T) / 2;
        var (w, v) = Torch.Eigh(a);
        Assert.AreEqual(DType.Float64, w.DType);
        var values = w.ToArray<double>();
        for (int i = 1; i < values.Length; i++) Assert.IsTrue(values[i - 1] <= values[i], "Eigenvalues ascend.");
        // A = V·diag(w)·Vᵀ and VᵀV = I.
        var rebuilt = Torch.MatMul(Torch.MatMul(v, w.DiagEmbed()), v.T);
        TensorAssert.Close(a, rebuilt, 1e-12);
        TensorAssert.Close(Torch.Eye(5, dtype: DType.Float64), Torch.MatMul(v.T, v), 1e-12);
        // Trace equals the eigenvalue sum.
        Assert.AreEqual(a.Diagonal().Sum().Item(), values.Sum(), 1e-12);
    }

    [TestMethod]
    public void SLogDet_SignAndLogAbsDeterminant()
    {
        using var scope = Torch.NewDisposeScope();
        var (sign, logAbs) = Torch.SLogDet(Tensor.From(new double[] { 2, 1, 1, 3 }, 2, 2));
        Assert.AreEqual(1.0, sign.Item());
        Assert.AreEqual(Math.Log(5), logAbs.Item(), 1e-14);

        var (sign2, logAbs2) = Torch.SLogDet(Tensor.From(new double[] { 0, 2, 3, 0 }, 2, 2));
        Assert.AreEqual(-1.0, sign2.Item());
        Assert.AreEqual(Math.Log(6), logAbs2.Item(), 1e-14);

        // Batched: diag(1, 2, 3) and diag(-1, 4, 0.5).
        var batch = Torch.Stack([Tensor.From(new double[] { 1, 2, 3 }).DiagEmbed(), Tensor.From(new double[] { -1, 4, 0.5 }).DiagEmbed()]);
        var (signs, logs) = Torch.SLogDet(batch);
        TensorAssert.Close([1, -1], signs, 0, [2]);
        TensorAssert.Close([Math.Log(6), Math.Log(2)], logs, 1e-14, [2]);

        var (singularSign, singularLog) = Torch.SLogDet(Torch.Zeros([2, 2], DType.Float64));
        Assert.AreEqual(0.0, singularSign.Item());
        Assert.AreEqual(double.NegativeInfinity, singularLog.Item());
    }
}
