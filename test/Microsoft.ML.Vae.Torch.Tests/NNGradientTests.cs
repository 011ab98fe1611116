namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Autograd of neural-network functions (convolutions, pooling, resampling, norms, losses) against finite differences.</summary>
[TestClass]
public sealed class NNGradientTests : TorchTestBase
{
    private static Tensor In(long[] shape, int seed) => GradientCheck.Input(shape, seed, scale: 1.5, margin: 0.05);

    [TestMethod]
    [DataRow(1, 0, 1, 1, true), DataRow(2, 1, 1, 1, true), DataRow(1, 2, 2, 1, false), DataRow(2, 1, 1, 2, true), DataRow(3, 0, 2, 2, false)]
    public void Conv2d(int stride, int padding, int dilation, int groups, bool bias)
    {
        using var scope = Torch.NewDisposeScope();
        var x = In([2, 4, 6, 5], 1);
        var w = In([4, 4 / groups, 3, 3], 2);
        var inputs = bias ? new[] { x, w, In([4], 3) } : new[] { x, w };
        GradientCheck.Assert(t => Functional.Conv2d(t[0], t[1], bias ? t[2] : null, stride, padding, dilation, groups), inputs);
    }

    [TestMethod]
    public void Conv2d_RectangularStrideAndPadding()
    {
        using var scope = Torch.NewDisposeScope();
        var x = In([1, 2, 5, 6], 4);
        var w = In([3, 2, 2, 3], 5);
        GradientCheck.Assert(t => Functional.Conv2d(t[0], t[1], null, (1, 2), (1, 0), (2, 1)), x, w);
    }

    [TestMethod]
    [DataRow(1, 0, 0, 1, 1, true), DataRow(2, 0, 1, 1, 1, true), DataRow(2, 1, 1, 1, 1, false), DataRow(3, 1, 2, 1, 1, true),
     DataRow(1, 1, 0, 2, 1, true), DataRow(2, 1, 1, 2, 2, true), DataRow(2, 0, 0, 1, 2, false)]
    public void ConvTranspose2d(int stride, int padding, int outputPadding, int dilation, int groups, bool bias)
    {
        using var scope = Torch.NewDisposeScope();
        var x = In([2, 4, 3, 4], 6);
        // Transposed weights are [in, out / groups, kH, kW].
        var w = In([4, 6 / groups, 3, 3], 7);
        var inputs = bias ? new[] { x, w, In([6], 8) } : new[] { x, w };
        GradientCheck.Assert(t => Functional.ConvTranspose2d(t[0], t[1], bias ? t[2] : null, stride, padding, outputPadding, dilation, groups), inputs);
    }

    [TestMethod]
    [DataRow("AvgPool"), DataRow("AvgPoolStridePad"), DataRow("MaxPool"), DataRow("MaxPoolStridePad"), DataRow("AdaptiveAvg"),
     DataRow("AdaptiveAvgUneven"), DataRow("Nearest"), DataRow("NearestDown"), DataRow("Bilinear"), DataRow("BilinearAligned"),
     DataRow("BilinearDown")]
    public void PoolingAndResampling(string op)
    {
        Func<Tensor, Tensor> f = op switch
        {
            "AvgPool" => x => Functional.AvgPool2d(x, 2),
            "AvgPoolStridePad" => x => Functional.AvgPool2d(x, 3, 2, 1),
            "MaxPool" => x => Functional.MaxPool2d(x, 2),
            "MaxPoolStridePad" => x => Functional.MaxPool2d(x, 3, 1, 1),
            "AdaptiveAvg" => x => Functional.AdaptiveAvgPool2d(x, 2, 3),
            "AdaptiveAvgUneven" => x => Functional.AdaptiveAvgPool2d(x, 3, 4),
            "Nearest" => x => Functional.UpsampleNearest(x, 8, 12),
            "NearestDown" => x => Functional.UpsampleNearest(x, 3, 5),
            "Bilinear" => x => Functional.UpsampleBilinear(x, 7, 11),
            "BilinearAligned" => x => Functional.UpsampleBilinear(x, 9, 9, alignCorners: true),
            "BilinearDown" => x => Functional.UpsampleBilinear(x, 3, 4),
            _ => throw new ArgumentOutOfRangeException(nameof(op)),
        };
        // Distinct random values: the max of every pooling window is unique.
        using var x = In([2, 2, 4, 6], 9);
        GradientCheck.Assert(a => f(a[0]), x);
    }

    [TestMethod]
    [DataRow(true), DataRow(false)]
    public void BatchNorm_Training(bool affine)
    {
        using var scope = Torch.NewDisposeScope();
        var x = In([4, 3, 2, 2], 10);
        var runningMean = Torch.Zeros([3], DType.Float64);
        var runningVar = Torch.Ones([3], DType.Float64);
        var inputs = affine ? new[] { x, In([3], 11), In([3], 12) } : new[] { x };
        GradientCheck.Assert(t => Functional.BatchNorm(t[0], runningMean, runningVar, affine ? t[1] : null, affine ? t[2] : null, training: true), inputs);
        // Two-dimensional input normalizes each feature over the batch.
        GradientCheck.Assert(t => Functional.BatchNorm(t[0], null, null, null, null, training: true), In([5, 3], 13));
    }

    [TestMethod]
    public void BatchNorm_Evaluation()
    {
        using var scope = Torch.NewDisposeScope();
        var mean = In([3], 14);
        var variance = GradientCheck.Uniform([3], 15, 0.5, 2);
        GradientCheck.Assert(t => Functional.BatchNorm(t[0], mean, variance, t[1], t[2], training: false), In([4, 3], 16), In([3], 17), In([3], 18));
    }

    [TestMethod]
    public void LayerNorm()
    {
        using var scope = Torch.NewDisposeScope();
        GradientCheck.Assert(t => Functional.LayerNorm(t[0], [3, 4], t[1], t[2]), In([2, 3, 4], 19), In([3, 4], 20), In([3, 4], 21));
        GradientCheck.Assert(t => Functional.LayerNorm(t[0], [4], eps: 1e-3), In([2, 3, 4], 22));
    }

    [TestMethod]
    public void GroupNorm()
    {
        using var scope = Torch.NewDisposeScope();
        GradientCheck.Assert(t => Functional.GroupNorm(t[0], 2, t[1], t[2]), In([2, 4, 2, 3], 23), In([4], 24), In([4], 25));
        GradientCheck.Assert(t => Functional.GroupNorm(t[0], 4), In([2, 4, 3], 26));
    }

    [TestMethod]
    public void InstanceNorm()
    {
        using var scope = Torch.NewDisposeScope();
        GradientCheck.Assert(t => Functional.InstanceNorm(t[0], t[1], t[2]), In([2, 3, 3, 2], 27), In([3], 28), In([3], 29));
        GradientCheck.Assert(t => Functional.InstanceNorm(t[0]), In([2, 2, 5], 30));
    }

    [TestMethod]
    [DataRow(Reduction.None), DataRow(Reduction.Mean), DataRow(Reduction.Sum)]
    public void RegressionLosses(Reduction reduction)
    {
        using var scope = Torch.NewDisposeScope();
        var input = In([3, 4], 31);
        var target = In([3, 4], 32);
        GradientCheck.Assert(t => Functional.MseLoss(t[0], t[1], reduction), input, target);
        GradientCheck.Assert(t => Functional.L1Loss(t[0], t[1], reduction), input, target);
    }

    [TestMethod]
    [DataRow(Reduction.None), DataRow(Reduction.Mean), DataRow(Reduction.Sum)]
    public void BinaryCrossEntropyWithLogits(Reduction reduction)
    {
        using var scope = Torch.NewDisposeScope();
        var logits = In([3, 4], 33);
        var target = GradientCheck.Uniform([3, 4], 34, 0, 1);
        GradientCheck.Assert(t => Functional.BinaryCrossEntropyWithLogits(t[0], t[1], reduction), logits, target);
        var weight = GradientCheck.Uniform([4], 35, 0.5, 2);
        var posWeight = GradientCheck.Uniform([4], 36, 0.5, 3);
        // libtorch has no derivative for the weights, so they stay constants of the checked function.
        GradientCheck.Assert(t => Functional.BinaryCrossEntropyWithLogits(t[0], t[1], reduction, weight, posWeight), logits, target);
    }

    [TestMethod]
    [DataRow(Reduction.None), DataRow(Reduction.Mean), DataRow(Reduction.Sum)]
    public void CrossEntropyAndNll(Reduction reduction)
    {
        using var scope = Torch.NewDisposeScope();
        var logits = In([4, 5], 37);
        var target = Tensor.From(new long[] { 0, 4, 2, 4 });
        GradientCheck.Assert(t => Functional.CrossEntropy(t[0], t[1], reduction), logits, target);
        GradientCheck.Assert(t => Functional.NllLoss(t[0].LogSoftmax(1), t[1], reduction), logits, target);
        // Spatial targets: logits [N, C, H, W] against classes [N, H, W].
        var spatial = In([2, 3, 2, 2], 38);
        var spatialTarget = Tensor.From(new long[] { 0, 1, 2, 2, 1, 1, 0, 2 }, 2, 2, 2);
        GradientCheck.Assert(t => Functional.CrossEntropy(t[0], t[1], reduction), spatial, spatialTarget);
    }
}
