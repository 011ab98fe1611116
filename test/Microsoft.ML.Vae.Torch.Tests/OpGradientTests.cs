namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Autograd of tensor ops (element-wise, reductions, linear algebra, shapes) against finite differences.</summary>
[TestClass]
public sealed class OpGradientTests : TorchTestBase
{
    // Inputs stay 0.1 away from zero so that kinks (abs, relu, clamp...) are never within a step.
    private static Tensor Signed(params long[] shape) => GradientCheck.Input(shape, seed: 1, scale: 2, margin: 0.1);
    private static Tensor Positive(params long[] shape) => GradientCheck.Uniform(shape, seed: 2, low: 0.3, high: 2.5);

    [TestMethod]
    [DataRow("Neg"), DataRow("Abs"), DataRow("Exp"), DataRow("Expm1"), DataRow("Square"), DataRow("Sigmoid"), DataRow("Tanh"),
     DataRow("Relu"), DataRow("Gelu"), DataRow("Silu"), DataRow("LogSigmoid"), DataRow("Sin"), DataRow("Cos"), DataRow("Erf"),
     DataRow("LeakyRelu"), DataRow("Elu"), DataRow("Softplus"), DataRow("SoftplusSteep"), DataRow("Hardtanh"), DataRow("Clamp"),
     DataRow("ClampMin"), DataRow("PowScalar"), DataRow("ScalarPow"), DataRow("Softmax"), DataRow("LogSoftmax"), DataRow("CumSum"),
     DataRow("Lerp")]
    public void Unary_OnSignedInputs(string op)
    {
        Func<Tensor, Tensor> f = op switch
        {
            "Neg" => x => x.Neg(),
            "Abs" => x => x.Abs(),
            "Exp" => x => x.Exp(),
            "Expm1" => x => x.Expm1(),
            "Square" => x => x.Square(),
            "Sigmoid" => x => x.Sigmoid(),
            "Tanh" => x => x.Tanh(),
            "Relu" => x => x.Relu(),
            "Gelu" => x => x.Gelu(),
            "Silu" => x => x.Silu(),
            "LogSigmoid" => x => x.LogSigmoid(),
            "Sin" => x => x.Sin(),
            "Cos" => x => x.Cos(),
            "Erf" => x => x.Erf(),
            "LeakyRelu" => x => x.LeakyRelu(0.2),
            "Elu" => x => x.Elu(1.5),
            "Softplus" => x => x.Softplus(),
            "SoftplusSteep" => x => x.Softplus(beta: 2, threshold: 1.5),
            "Hardtanh" => x => x.Hardtanh(-1.05, 0.95),
            "Clamp" => x => x.Clamp(-0.95, 1.05),
            "ClampMin" => x => x.ClampMin(0.05),
            "PowScalar" => x => x.Pow(3),
            "ScalarPow" => x => Torch.Pow(1.7, x),
            "Softmax" => x => x.Softmax(1),
            "LogSoftmax" => x => x.LogSoftmax(0),
            "CumSum" => x => x.CumSum(1),
            "Lerp" => x => x.Lerp(Torch.OnesLike(x), 0.3),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        using var x = Signed(3, 4);
        GradientCheck.Assert(a => f(a[0]), x);
    }

    [TestMethod]
    [DataRow("Log"), DataRow("Log1p"), DataRow("Sqrt"), DataRow("Rsqrt"), DataRow("Reciprocal"), DataRow("Lgamma"), DataRow("PowFractional")]
    public void Unary_OnPositiveInputs(string op)
    {
        Func<Tensor, Tensor> f = op switch
        {
            "Log" => x => x.Log(),
            "Log1p" => x => x.Log1p(),
            "Sqrt" => x => x.Sqrt(),
            "Rsqrt" => x => x.Rsqrt(),
            "Reciprocal" => x => x.Reciprocal(),
            "Lgamma" => x => x.Lgamma(),
            "PowFractional" => x => x.Pow(-1.5),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        using var x = Positive(2, 5);
        GradientCheck.Assert(a => f(a[0]), x);
    }

    [TestMethod]
    [DataRow("Add"), DataRow("AddScaled"), DataRow("Sub"), DataRow("Mul"), DataRow("Div"), DataRow("Pow"), DataRow("Maximum"),
     DataRow("Minimum"), DataRow("Atan2"), DataRow("Where"), DataRow("ScalarMinusTensor"), DataRow("ScalarOverTensor")]
    public void Binary_WithBroadcasting(string op)
    {
        using var scope = Torch.NewDisposeScope();
        // [3, 4] against [4]: the second operand's gradient sums over the broadcast rows.
        var a = Positive(3, 4);
        var b = GradientCheck.Uniform([4], seed: 3, low: 0.4, high: 2.0);
        Func<Tensor[], Tensor> f = op switch
        {
            "Add" => t => t[0] + t[1],
            "AddScaled" => t => t[0].Add(t[1], -2.5),
            "Sub" => t => t[0] - t[1],
            "Mul" => t => t[0] * t[1],
            "Div" => t => t[0] / t[1],
            "Pow" => t => t[0].Pow(t[1]),
            "Maximum" => t => t[0].Maximum(t[1] + 0.013),
            "Minimum" => t => t[0].Minimum(t[1] + 0.013),
            "Atan2" => t => (t[0] - 1.2).Atan2(t[1] - 1),
            "Where" => t => Torch.Where(t[0].Gt(1.3), t[0] * 2, t[1].Expand(3, 4)),
            "ScalarMinusTensor" => t => 3 - t[0] * t[1],
            "ScalarOverTensor" => t => 3 / (t[0] * t[1]),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        GradientCheck.Assert(f, a, b);
    }

    [TestMethod]
    public void MaskedFill_HasZeroGradientWhereFilled()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Signed(3, 4);
        var mask = x.Gt(0.5);
        GradientCheck.Assert(t => t[0].MaskedFill(t[1], 2.0) * t[0], x, mask);
    }

    [TestMethod]
    [DataRow("Sum"), DataRow("SumDimKeep"), DataRow("Mean"), DataRow("MeanDims"), DataRow("Var"), DataRow("VarBiasedKeep"),
     DataRow("Std"), DataRow("StdDim"), DataRow("LogSumExp"), DataRow("LogSumExpKeep"), DataRow("Norm2"), DataRow("Norm1Dim"),
     DataRow("Norm3"), DataRow("Max"), DataRow("MaxDim"), DataRow("MinDim"), DataRow("AMax"), DataRow("AMin"), DataRow("TopK"),
     DataRow("Sort")]
    public void Reductions(string op)
    {
        Func<Tensor, Tensor> f = op switch
        {
            "Sum" => x => x.Sum(),
            "SumDimKeep" => x => x.Sum(1, keepDim: true),
            "Mean" => x => x.Mean(),
            "MeanDims" => x => x.Mean([0, 2]),
            "Var" => x => x.Var(),
            "VarBiasedKeep" => x => x.Var(1, unbiased: false, keepDim: true),
            "Std" => x => x.Std(),
            "StdDim" => x => x.Std(2),
            "LogSumExp" => x => x.LogSumExp(1),
            "LogSumExpKeep" => x => x.LogSumExp([1, 2], keepDim: true),
            "Norm2" => x => x.Norm(),
            "Norm1Dim" => x => x.Norm(1, [2]),
            "Norm3" => x => x.Norm(3, [0, 1]),
            "Max" => x => x.Max(),
            "MaxDim" => x => Values(x.Max(1)),
            "MinDim" => x => Values(x.Min(2, keepDim: true)),
            "AMax" => x => x.AMax(0),
            "AMin" => x => x.AMin(-1, keepDim: true),
            "TopK" => x => Values(x.TopK(2, dim: 2)),
            "Sort" => x => Values(x.Sort(1, descending: true)),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        // Random distinct values: max/min/sort have no ties.
        using var x = GradientCheck.Input([2, 3, 4], seed: 5, scale: 2, margin: 0.1);
        GradientCheck.Assert(a => f(a[0]), x);
    }

    private static Tensor Values((Tensor Values, Tensor Indices) r)
    {
        r.Indices.Dispose();
        return r.Values;
    }

    [TestMethod]
    [DataRow("MatMul"), DataRow("MatMulVector"), DataRow("MatMulBatchBroadcast"), DataRow("Mm"), DataRow("Bmm"), DataRow("Outer"),
     DataRow("Linear"), DataRow("CDist2"), DataRow("CDist1")]
    public void Products(string op)
    {
        using var scope = Torch.NewDisposeScope();
        var a = GradientCheck.Input([2, 3, 4], seed: 6);
        var b = GradientCheck.Input([2, 4, 3], seed: 7);
        var (f, inputs) = op switch
        {
            "MatMul" => ((Func<Tensor[], Tensor>)(t => Torch.MatMul(t[0], t[1])), new[] { a.Select(0, 0), b.Select(0, 1) }),
            "MatMulVector" => (t => Torch.MatMul(t[0], t[1]), new[] { a.Select(0, 0), b.Select(0, 0).Select(1, 0) }),
            "MatMulBatchBroadcast" => (t => Torch.MatMul(t[0], t[1]), new[] { a, b.Select(0, 0) }),
            "Mm" => (t => Torch.Mm(t[0], t[1]), new[] { a.Select(0, 1), b.Select(0, 0) }),
            "Bmm" => (t => Torch.Bmm(t[0], t[1]), new[] { a, b }),
            "Outer" => (t => Torch.Outer(t[0], t[1]), new[] { a.Select(0, 0).Select(0, 0), b.Select(0, 0).Select(0, 0) }),
            "Linear" => (t => Functional.Linear(t[0], t[1], t[2]), new[] { a, b.Select(0, 0).T.Contiguous(), GradientCheck.Input([3], seed: 8) }),
            "CDist2" => (t => Torch.CDist(t[0], t[1]), new[] { a.Select(0, 0), b.Select(0, 0).T.Contiguous() }),
            "CDist1" => (t => Torch.CDist(t[0], t[1], 1), new[] { a.Select(0, 0), b.Select(0, 0).T.Contiguous() }),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        GradientCheck.Assert(f, inputs.Select(t => t.Contiguous()).ToArray());
    }

    [TestMethod]
    public void Eigh_EigenvaluesAndEigenvectors()
    {
        using var scope = Torch.NewDisposeScope();
        var m = GradientCheck.Input([4, 4], seed: 9, scale: 2);
        // Symmetrize inside f so every perturbation stays symmetric; eigenvalues of a random matrix are distinct.
        GradientCheck.Assert(t =>
        {
            var s = (t[0] + t[0].T) * 0.5;
            var (w, v) = Torch.Eigh(s);
            // Eigenvectors are defined up to sign, so only sign-free functions of them are checked:
            // V·diag(w)·Vᵀ and the element-wise squares of V.
            return Torch.MatMul(v * w, v.T) + v * v * 3 + w;
        }, m);
    }

    [TestMethod]
    public void SLogDet_LogAbsDeterminant()
    {
        using var scope = Torch.NewDisposeScope();
        var m = GradientCheck.Input([3, 3], seed: 10) + Torch.Eye(3, dtype: DType.Float64) * 3;
        GradientCheck.Assert(t => Torch.SLogDet(t[0]).LogAbsDet, m);
    }

    [TestMethod]
    [DataRow("View"), DataRow("Reshape"), DataRow("Permute"), DataRow("Transpose"), DataRow("Flatten"), DataRow("Squeeze"),
     DataRow("Unsqueeze"), DataRow("Expand"), DataRow("Repeat"), DataRow("Cat"), DataRow("Stack"), DataRow("Chunk"), DataRow("Split"),
     DataRow("Narrow"), DataRow("Select"), DataRow("Slice"), DataRow("IndexSelect"), DataRow("Gather"), DataRow("ScatterAdd"),
     DataRow("Flip"), DataRow("Contiguous"), DataRow("MaskedSelect"), DataRow("Tril"), DataRow("Diagonal"), DataRow("DiagEmbed"),
     DataRow("PadConstant"), DataRow("PadReflect"), DataRow("PadReplicate"), DataRow("Clone"), DataRow("Alias")]
    public void ShapeOps(string op)
    {
        using var scope = Torch.NewDisposeScope();
        var index = Tensor.From(new long[] { 2, 0, 2 });
        var gatherIndex = Tensor.From(new long[] { 1, 0, 1, 1, 0, 0 }, 1, 3, 2);
        Func<Tensor, Tensor> f = op switch
        {
            "View" => x => x.View(6, 2) * x.View(6, 2).Flip(0),
            "Reshape" => x => x.Transpose(0, 2).Reshape(-1) * Torch.Arange(12, DType.Float64),
            "Permute" => x => x.Permute(2, 0, 1) * (Torch.Arange(2, DType.Float64).View(2, 1, 1) + 1),
            "Transpose" => x => x.Transpose(1, 2).Square(),
            "Flatten" => x => x.Flatten(1).Exp(),
            "Squeeze" => x => x.Narrow(1, 1, 1).Squeeze(1).Sin(),
            "Unsqueeze" => x => x.Unsqueeze(1).Expand(2, 3, 3, 2).Tanh(),
            "Expand" => x => x.Narrow(0, 0, 1).Expand(4, 3, 2) * Torch.Arange(24, DType.Float64).View(4, 3, 2),
            "Repeat" => x => x.Repeat(2, 1, 3).Square(),
            "Cat" => x => Torch.Cat([x, x.Square()], 1),
            "Stack" => x => Torch.Stack([x.Exp(), x], -1),
            "Chunk" => x => Last(x.Chunk(2, 2)).Square(),
            "Split" => x => Last(x.Split(2, 1)).Exp(),
            "Narrow" => x => x.Narrow(1, 1, 2).Square(),
            "Select" => x => x.Select(2, 1).Exp(),
            "Slice" => x => x.Slice(1, 0, 3, 2).Square(),
            "IndexSelect" => x => x.IndexSelect(1, index).Square(),
            "Gather" => x => x.Gather(0, gatherIndex).Exp(),
            "ScatterAdd" => x => Torch.ZerosLike(x).ScatterAdd(0, gatherIndex, x.Narrow(0, 0, 1).Square()),
            "Flip" => x => x.Flip(1) * x,
            "Contiguous" => x => x.Transpose(0, 2).Contiguous().Square(),
            "MaskedSelect" => x => x.MaskedSelect(x.Gt(0)).Square(),
            "Tril" => x => x.Select(2, 0).Tril().Exp(),
            "Diagonal" => x => x.Select(0, 1).Diagonal().Exp(),
            "DiagEmbed" => x => x.DiagEmbed() * 2,
            "PadConstant" => x => Functional.Pad(x.Unsqueeze(0), [1, 2, 0, 1], Functional.PadMode.Constant, 3).Square(),
            "PadReflect" => x => Functional.Pad(x.Unsqueeze(0), [1, 1, 1, 0], Functional.PadMode.Reflect).Square(),
            "PadReplicate" => x => Functional.Pad(x.Unsqueeze(0), [1, 1, 1, 1], Functional.PadMode.Replicate).Square(),
            "Clone" => x => x.Clone().Square(),
            "Alias" => x => x.Alias().Square(),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        var x = GradientCheck.Input([2, 3, 2], seed: 11, scale: 1.5, margin: 0.1);
        GradientCheck.Assert(a => f(a[0]), x);
    }

    private static Tensor Last(Tensor[] parts) => parts[^1];
}
