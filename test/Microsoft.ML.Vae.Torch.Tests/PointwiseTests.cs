namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Element-wise arithmetic, unary math, selection and comparisons against hand-computed values.</summary>
[TestClass]
public sealed class PointwiseTests : TorchTestBase
{
    [TestMethod]
    public void Arithmetic_BroadcastsRowsAndColumns()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Tensor.From(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        var row = Tensor.From(new double[] { 10, 20, 30 });
        var col = Tensor.From(new double[] { 2, 4 }, 2, 1);
        TensorAssert.Close([11, 22, 33, 14, 25, 36], a + row, 0, [2, 3]);
        TensorAssert.Close([-9, -18, -27, -6, -15, -24], a - row, 0, [2, 3]);
        TensorAssert.Close([2, 4, 6, 16, 20, 24], a * col, 0, [2, 3]);
        TensorAssert.Close([0.5, 1, 1.5, 1, 1.25, 1.5], a / col, 1e-15, [2, 3]);
        // A column against a row gives the outer grid.
        TensorAssert.Close([12, 22, 32, 14, 24, 34], col + row, 0, [2, 3]);
        TensorAssert.Close([1, 4, 9, 16, 25, 36], a.Pow(Tensor.From(new double[] { 2 })), 1e-12, [2, 3]);
        TensorAssert.Close([1, 0, 1, 0, 1, 0], a.Remainder(Tensor.From(new double[] { 2 })), 0);
        TensorAssert.Close([11, 22, 33, 14, 25, 36], a.Add(row, 3.0) - row * 2, 0);
    }

    [TestMethod]
    public void Arithmetic_WithScalarsOnEitherSide()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Tensor.From(new double[] { 1, 2, 4 });
        TensorAssert.Close([3, 4, 6], a + 2, 0);
        TensorAssert.Close([3, 4, 6], 2 + a, 0);
        TensorAssert.Close([-1, 0, 2], a - 2, 0);
        TensorAssert.Close([1, 0, -2], 2 - a, 0);
        TensorAssert.Close([3, 6, 12], a * 3, 0);
        TensorAssert.Close([3, 6, 12], 3 * a, 0);
        TensorAssert.Close([0.5, 1, 2], a / 2, 0);
        TensorAssert.Close([4, 2, 1], 4 / a, 1e-15);
        TensorAssert.Close([-1, -2, -4], -a, 0);
        TensorAssert.Close([1, 8, 64], a.Pow(3), 1e-12);
        TensorAssert.Close([2, 4, 16], Torch.Pow(2, a), 1e-12);
        TensorAssert.Close([1, 2, 1], a.Remainder(3), 0);
        TensorAssert.Close([0, 1, 2], Tensor.From(new double[] { 1, 3, 5 }).FloorDivide(2), 0);
        TensorAssert.Close([-1, -2, -3], Tensor.From(new double[] { -1, -3, -5 }).FloorDivide(2), 0);
        TensorAssert.Close([1, 1.5, 2.5], a.Lerp(Tensor.From(new double[] { 1, 1, 1 }), 0.5), 0);
        TensorAssert.Close([Math.PI / 4, Math.Atan2(2, 1), Math.Atan2(4, -1)],
            a.Atan2(Tensor.From(new double[] { 1, 1, -1 })), 1e-15);
        // Scalars are doubles and promote like Python floats: an integer tensor gives the default float type.
        var promoted = Tensor.From(new long[] { 1, 2 }) + 1;
        Assert.AreEqual(DType.Float32, promoted.DType);
        TensorAssert.Close([2, 3], promoted, 0);
        // In-place ops keep the tensor's dtype.
        var counter = Tensor.From(new long[] { 5 });
        counter.Add_(1);
        Assert.AreEqual(DType.Int64, counter.DType);
        Assert.AreEqual(6L, counter.ItemLong());
    }

    [TestMethod]
    public void InPlaceOps_ChangeTheTensor()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Tensor.From(new double[] { 1, -2, 4 });
        var b = Tensor.From(new double[] { 1, 1, 2 });
        a.Add_(b, 2).Mul_(2).Sub_(b).Div_(b).Add_(1).Mul_(b).Div_(2);
        // a+2b = [3, 0, 8]; *2 = [6, 0, 16]; -b = [5, -1, 14]; /b = [5, -1, 7]; +1 = [6, 0, 8]; *b = [6, 0, 16]; /2 = [3, 0, 8]
        TensorAssert.Close([3, 0, 8], a, 0);
        a.Neg_();
        TensorAssert.Close([-3, 0, -8], a, 0);
        a.Clamp_(-5, 5);
        TensorAssert.Close([-3, 0, -5], a, 0);
        a.Relu_();
        TensorAssert.Close([0, 0, 0], a, 0);
        a.Fill_(4).Sqrt_();
        TensorAssert.Close([2, 2, 2], a, 0);
        a.Exp_();
        TensorAssert.Close([Math.Exp(2), Math.Exp(2), Math.Exp(2)], a, 1e-12);
        a.Zero_().Copy_(Tensor.From(new float[] { 7 }));
        TensorAssert.Close([7, 7, 7], a, 0);
        Assert.AreEqual(DType.Float64, a.DType);
    }

    private static readonly double[] X = { -2.5, -1, -0.5, 0, 0.5, 1.5, 2.5 };

    [TestMethod]
    [DataRow("Neg"), DataRow("Abs"), DataRow("Exp"), DataRow("Expm1"), DataRow("Square"), DataRow("Sign"),
     DataRow("Floor"), DataRow("Ceil"), DataRow("Round"), DataRow("Trunc"), DataRow("Sin"), DataRow("Cos"), DataRow("Erf"),
     DataRow("Sigmoid"), DataRow("Tanh"), DataRow("Relu"), DataRow("Silu"), DataRow("LogSigmoid"), DataRow("Gelu")]
    public void Unary_MatchesMath_OnAllReals(string op)
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(X);
        var (actual, f) = op switch
        {
            "Neg" => (x.Neg(), (Func<double, double>)(v => -v)),
            "Abs" => (x.Abs(), Math.Abs),
            "Exp" => (x.Exp(), Math.Exp),
            "Expm1" => (x.Expm1(), v => Math.Exp(v) - 1),
            "Square" => (x.Square(), v => v * v),
            "Sign" => (x.Sign(), v => Math.Sign(v)),
            "Floor" => (x.Floor(), Math.Floor),
            "Ceil" => (x.Ceil(), Math.Ceiling),
            // Halves round to even, as in IEEE and PyTorch.
            "Round" => (x.Round(), v => Math.Round(v, MidpointRounding.ToEven)),
            "Trunc" => (x.Trunc(), Math.Truncate),
            "Sin" => (x.Sin(), Math.Sin),
            "Cos" => (x.Cos(), Math.Cos),
            "Erf" => (x.Erf(), Erf),
            "Sigmoid" => (x.Sigmoid(), v => 1 / (1 + Math.Exp(-v))),
            "Tanh" => (x.Tanh(), Math.Tanh),
            "Relu" => (x.Relu(), v => Math.Max(v, 0)),
            "Silu" => (x.Silu(), v => v / (1 + Math.Exp(-v))),
            "LogSigmoid" => (x.LogSigmoid(), v => -Math.Log(1 + Math.Exp(-v))),
            "Gelu" => (x.Gelu(), v => 0.5 * v * (1 + Erf(v / Math.Sqrt(2)))),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        TensorAssert.Close(X.Select(f).ToArray(), actual, 1e-12, [X.Length]);
        Assert.AreEqual(DType.Float64, actual.DType);
    }

    private static readonly double[] P = { 0.25, 0.5, 1, 2, 4.5 };

    [TestMethod]
    [DataRow("Log"), DataRow("Log1p"), DataRow("Sqrt"), DataRow("Rsqrt"), DataRow("Reciprocal"), DataRow("Lgamma")]
    public void Unary_MatchesMath_OnPositiveReals(string op)
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(P);
        var (actual, f) = op switch
        {
            "Log" => (x.Log(), (Func<double, double>)Math.Log),
            "Log1p" => (x.Log1p(), v => Math.Log(1 + v)),
            "Sqrt" => (x.Sqrt(), Math.Sqrt),
            "Rsqrt" => (x.Rsqrt(), v => 1 / Math.Sqrt(v)),
            "Reciprocal" => (x.Reciprocal(), v => 1 / v),
            // ln Γ at 0.25, 0.5, 1, 2, 4.5 (Γ(0.5) = √π, Γ(4.5) = 3.5·2.5·1.5·0.5·√π).
            "Lgamma" => (x.Lgamma(), v => v switch
            {
                0.25 => 1.2880225246980774,
                0.5 => 0.5 * Math.Log(Math.PI),
                1 or 2 => 0,
                4.5 => Math.Log(3.5 * 2.5 * 1.5 * 0.5 * Math.Sqrt(Math.PI)),
                _ => double.NaN,
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        TensorAssert.Close(P.Select(f).ToArray(), actual, 1e-12);
    }

    [TestMethod]
    public void SpecialValues_AreDetected()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new[] { 1.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity });
        TensorAssert.Equal([false, true, false, false], x.IsNan());
        TensorAssert.Equal([false, false, true, true], x.IsInf());
        TensorAssert.Equal([true, false, false, false], x.IsFinite());
        Assert.IsFalse(x.AllFinite());
        Assert.IsTrue(x.Narrow(0, 0, 1).AllFinite());
        TensorAssert.Close([1, 0, 9, -9], x.NanToNum(0, 9, -9), 0);
        TensorAssert.Close([double.NegativeInfinity], Tensor.From(new[] { 0.0 }).Log(), 0);
        TensorAssert.Close([double.PositiveInfinity, double.NegativeInfinity], Tensor.From(new[] { 1.0, -1.0 }).Div(0), 0);
    }

    [TestMethod]
    public void ClampWhereMinimumMaximum()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { -3, -1, 0, 2, 5 });
        TensorAssert.Close([-2, -1, 0, 2, 3], x.Clamp(-2, 3), 0);
        TensorAssert.Close([0, 0, 0, 2, 5], x.ClampMin(0), 0);
        TensorAssert.Close([-3, -1, 0, 1, 1], x.ClampMax(1), 0);
        Assert.ThrowsExactly<ArgumentException>(() => x.Clamp());

        var y = Tensor.From(new double[] { 0, -2, 1, 1, 9 });
        TensorAssert.Close([0, -1, 1, 2, 9], x.Maximum(y), 0);
        TensorAssert.Close([-3, -2, 0, 1, 5], x.Minimum(y), 0);
        var cond = x.Gt(0);
        TensorAssert.Close([0, -2, 1, 2, 5], Torch.Where(cond, x, y), 0);
        TensorAssert.Close([0, -2, 1, 2, 5], x.Where(cond, y), 0);
        // Broadcast condition: a [2,1] mask picks whole rows.
        var rows = Tensor.From(new[] { true, false }, 2, 1);
        var a = Torch.Ones([2, 3]);
        var b = Torch.Zeros([2, 3]);
        TensorAssert.Close([1, 1, 1, 0, 0, 0], Torch.Where(rows, a, b), 0, [2, 3]);
        TensorAssert.Close([9, 9, 0, 2, 5], x.MaskedFill(x.Lt(0), 9), 0);
    }

    [TestMethod]
    public void Comparisons_GiveBoolTensors()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 2, 3 });
        var y = Tensor.From(new double[] { 3, 2, 1 });
        TensorAssert.Equal([false, true, false], x.Eq(y));
        TensorAssert.Equal([true, false, true], x.Ne(y));
        TensorAssert.Equal([true, false, false], x.Lt(y));
        TensorAssert.Equal([true, true, false], x.Le(y));
        TensorAssert.Equal([false, false, true], x.Gt(y));
        TensorAssert.Equal([false, true, true], x.Ge(y));
        TensorAssert.Equal([false, true, false], x.Eq(2));
        TensorAssert.Equal([true, false, true], x.Ne(2));
        TensorAssert.Equal([true, false, false], x.Lt(2));
        TensorAssert.Equal([true, true, false], x.Le(2));
        TensorAssert.Equal([false, false, true], x.Gt(2));
        TensorAssert.Equal([false, true, true], x.Ge(2));
        var p = x.Ge(2);
        var q = x.Le(2);
        TensorAssert.Equal([false, true, false], p.LogicalAnd(q));
        TensorAssert.Equal([true, true, true], p.LogicalOr(q));
        TensorAssert.Equal([true, false, false], p.LogicalNot());
        Assert.AreEqual(1.0, p.Any().Item());
        Assert.AreEqual(0.0, p.All().Item());
        // Broadcast comparison of a column with a row.
        TensorAssert.Equal([true, false, false, true, true, false], Tensor.From(new double[] { 1, 2 }, 2, 1).Ge(Tensor.From(new double[] { 1, 2, 3 })));
    }

    /// <summary>erf by the all-positive series 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3···(2n+1)), free of cancellation.</summary>
    private static double Erf(double x)
    {
        double sum = 0, term = x;
        for (int n = 0; n < 300; n++)
        {
            sum += term;
            term *= 2 * x * x / (2 * n + 3);
        }
        return 2 / Math.Sqrt(Math.PI) * Math.Exp(-x * x) * sum;
    }
}
