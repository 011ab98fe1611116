namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Output shapes and hand-computed values of convolutions, pooling, resampling, norms and losses.</summary>
[TestClass]
public sealed class NNFunctionalTests : TorchTestBase
{
    // 1×1×4×4 image holding 0..15 row by row.
    private static Tensor Grid() => Torch.Arange(16, DType.Float64).View(1, 1, 4, 4);

    [TestMethod]
    [DataRow(1, 0, 1, 8, 6), DataRow(2, 1, 1, 5, 4), DataRow(1, 2, 2, 10, 8), DataRow(3, 0, 1, 3, 2)]
    public void Conv2d_OutputShape(int stride, int padding, int dilation, int expectedH, int expectedW)
    {
        using var scope = Torch.NewDisposeScope();
        // out = floor((in + 2p - d·(k-1) - 1) / s) + 1 with in = 10×8, k = 3.
        var y = Functional.Conv2d(Torch.Zeros([2, 4, 10, 8]), Torch.Zeros([6, 2, 3, 3]), Torch.Zeros([6]), stride, padding, dilation, groups: 2);
        TensorAssert.Shape([2, 6, expectedH, expectedW], y);
    }

    [TestMethod]
    public void Conv2d_Values()
    {
        using var scope = Torch.NewDisposeScope();
        // A 2×2 kernel of ones sums each window; the bias adds 100.
        var y = Functional.Conv2d(Grid(), Torch.Ones([1, 1, 2, 2], DType.Float64), Tensor.From(new double[] { 100 }), stride: 2);
        TensorAssert.Close([110, 118, 142, 150], y, 0, [1, 1, 2, 2]);
        // Grouped: each of two channels convolved with its own 1×1 weight.
        var x = Torch.Cat([Grid(), Grid()], 1);
        var g = Functional.Conv2d(x, Tensor.From(new double[] { 2, -1 }, 2, 1, 1, 1), groups: 2);
        Assert.AreEqual(2 * 5.0, g.Select(1, 0).Flatten().ToArray<double>()[5]);
        Assert.AreEqual(-5.0, g.Select(1, 1).Flatten().ToArray<double>()[5]);
    }

    [TestMethod]
    [DataRow(1, 0, 0, 1, 6, 7), DataRow(2, 0, 0, 1, 9, 11), DataRow(2, 1, 1, 1, 8, 10), DataRow(2, 1, 0, 2, 9, 11), DataRow(3, 1, 2, 1, 12, 15)]
    public void ConvTranspose2d_OutputShape(int stride, int padding, int outputPadding, int dilation, int expectedH, int expectedW)
    {
        using var scope = Torch.NewDisposeScope();
        // out = (in - 1)·s - 2p + d·(k - 1) + op + 1 with in = 4×5, k = 3.
        var y = Functional.ConvTranspose2d(Torch.Zeros([1, 4, 4, 5]), Torch.Zeros([4, 3, 3, 3]), null, stride, padding, outputPadding, dilation, groups: 2);
        TensorAssert.Shape([1, 6, expectedH, expectedW], y);
    }

    [TestMethod]
    public void ConvTranspose2d_SpreadsEachInputOverTheKernel()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 2 }, 1, 1, 1, 2);
        var w = Tensor.From(new double[] { 1, 10, 100, 1000 }, 1, 1, 2, 2);
        // Stride 2 places two non-overlapping copies of the kernel, scaled by 1 and 2.
        TensorAssert.Close([1, 10, 2, 20, 100, 1000, 200, 2000], Functional.ConvTranspose2d(x, w, stride: 2), 0, [1, 1, 2, 4]);
        // Stride 1 overlaps them in the middle column.
        TensorAssert.Close([1, 12, 20, 100, 1200, 2000], Functional.ConvTranspose2d(x, w), 0, [1, 1, 2, 3]);
    }

    [TestMethod]
    public void Pooling_Values()
    {
        using var scope = Torch.NewDisposeScope();
        TensorAssert.Close([2.5, 4.5, 10.5, 12.5], Functional.AvgPool2d(Grid(), 2), 0, [1, 1, 2, 2]);
        TensorAssert.Close([5, 7, 13, 15], Functional.MaxPool2d(Grid(), 2), 0, [1, 1, 2, 2]);
        // 3×3 windows with stride 1 and padding 1: max of the clipped neighbourhood.
        TensorAssert.Close([5, 6, 7, 7, 9, 10, 11, 11, 13, 14, 15, 15, 13, 14, 15, 15], Functional.MaxPool2d(Grid(), 3, 1, 1), 0, [1, 1, 4, 4]);
        // Average pooling with padding counts the zero padding (count_include_pad).
        TensorAssert.Close([(0 + 1 + 4 + 5) / 9.0], Functional.AvgPool2d(Grid(), 3, 2, 1).Flatten().Narrow(0, 0, 1), 1e-15);
        TensorAssert.Close([7.5], Functional.AdaptiveAvgPool2d(Grid(), 1, 1), 0, [1, 1, 1, 1]);
        TensorAssert.Close([2.5, 3.5, 4.5, 10.5, 11.5, 12.5], Functional.AdaptiveAvgPool2d(Grid(), 2, 3), 1e-15, [1, 1, 2, 3]);
        TensorAssert.Shape([3, 2, 3, 7], Functional.MaxPool2d(Torch.Zeros([3, 2, 7, 15]), 2));
        TensorAssert.Shape([3, 2, 4, 8], Functional.AvgPool2d(Torch.Zeros([3, 2, 7, 15]), 2, 2, 1));
    }

    [TestMethod]
    public void Upsampling_Values()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 2, 3, 4 }, 1, 1, 2, 2);
        TensorAssert.Close([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], Functional.UpsampleNearest(x, 4, 4), 0, [1, 1, 4, 4]);
        TensorAssert.Close([1, 1, 1, 2, 2, 2], Functional.UpsampleNearest(x.Narrow(2, 0, 1), 1, 6), 0, [1, 1, 1, 6]);
        // Align corners: the corners stay put and the rest is linear in between.
        TensorAssert.Close([1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4], Functional.UpsampleBilinear(x, 3, 3, alignCorners: true), 1e-15, [1, 1, 3, 3]);
        // Half-pixel centres: output pixel i samples (i + 0.5)/2 - 0.5, clamped at the border.
        TensorAssert.Close([1, 1.25, 1.75, 2], Functional.UpsampleBilinear(x.Narrow(2, 0, 1), 1, 4), 1e-15, [1, 1, 1, 4]);
        TensorAssert.Shape([2, 3, 5, 9], Functional.UpsampleBilinear(Torch.Zeros([2, 3, 4, 4]), 5, 9));
    }

    [TestMethod]
    public void BatchNorm_TrainingNormalizesAndUpdatesRunningStatistics()
    {
        using var scope = Torch.NewDisposeScope();
        // Feature 0: 1, 3 (mean 2, biased var 1); feature 1: 0, 4 (mean 2, biased var 4).
        var x = Tensor.From(new double[] { 1, 0, 3, 4 }, 2, 2);
        var runningMean = Torch.Zeros([2], DType.Float64);
        var runningVar = Torch.Ones([2], DType.Float64);
        var y = Functional.BatchNorm(x, runningMean, runningVar, Tensor.From(new double[] { 2, 1 }), Tensor.From(new double[] { 0, 10 }), training: true, momentum: 0.1, eps: 0);
        TensorAssert.Close([-2, 9, 2, 11], y, 1e-12, [2, 2]);
        // running = 0.9·running + 0.1·batch, with the unbiased batch variance (2 and 8).
        TensorAssert.Close([0.2, 0.2], runningMean, 1e-15);
        TensorAssert.Close([0.9 + 0.2, 0.9 + 0.8], runningVar, 1e-15);
        // Evaluation uses the running statistics.
        var e = Functional.BatchNorm(x, runningMean, runningVar, null, null, training: false, eps: 0);
        TensorAssert.Close([(1 - 0.2) / Math.Sqrt(1.1), (0 - 0.2) / Math.Sqrt(1.7), (3 - 0.2) / Math.Sqrt(1.1), (4 - 0.2) / Math.Sqrt(1.7)], e, 1e-12);
    }

    [TestMethod]
    public void LayerGroupInstanceNorm_Values()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 3, 0, 4 }, 1, 2, 2);
        // Layer norm over the last dim: each pair becomes [-1, 1].
        TensorAssert.Close([-1, 1, -1, 1], Functional.LayerNorm(x, [2], eps: 0), 1e-12, [1, 2, 2]);
        // Over both dims: mean 2, var (1+1+4+4)/4 = 2.5.
        double s = Math.Sqrt(2.5);
        TensorAssert.Close([-1 / s, 1 / s, -2 / s, 2 / s], Functional.LayerNorm(x, [2, 2], eps: 0), 1e-12);
        TensorAssert.Close([-3, 5, -3, 5], Functional.LayerNorm(x, [2], Tensor.From(new double[] { 4, 4 }), Tensor.From(new double[] { 1, 1 }), eps: 0), 1e-12);
        // Group norm with one group per channel equals instance norm: x is [N=1, C=2, L=2].
        TensorAssert.Close([-1, 1, -1, 1], Functional.GroupNorm(x, 2, eps: 0), 1e-12);
        TensorAssert.Close([-1 / s, 1 / s, -2 / s, 2 / s], Functional.GroupNorm(x, 1, eps: 0), 1e-12);
        TensorAssert.Close([-1, 1, -1, 1], Functional.InstanceNorm(x, eps: 0), 1e-12);
        TensorAssert.Shape([2, 4, 3, 3], Functional.GroupNorm(Torch.Randn([2, 4, 3, 3]), 2));
    }

    [TestMethod]
    public void Losses_Values()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Tensor.From(new double[] { 1, 2, 3 });
        var b = Tensor.From(new double[] { 2, 2, 5 });
        Assert.AreEqual(5.0 / 3, Functional.MseLoss(a, b).Item(), 1e-15);
        Assert.AreEqual(5.0, Functional.MseLoss(a, b, Reduction.Sum).Item());
        TensorAssert.Close([1, 0, 4], Functional.MseLoss(a, b, Reduction.None), 0);
        Assert.AreEqual(1.0, Functional.L1Loss(a, b).Item(), 1e-15);
        TensorAssert.Close([1, 0, 2], Functional.L1Loss(a, b, Reduction.None), 0);

        // BCE with logits: -[y·log σ(x) + (1-y)·log(1-σ(x))].
        var logits = Tensor.From(new double[] { 0, 2 });
        var targets = Tensor.From(new double[] { 1, 0 });
        double sig2 = 1 / (1 + Math.Exp(-2));
        TensorAssert.Close([Math.Log(2), -Math.Log(1 - sig2)], Functional.BinaryCrossEntropyWithLogits(logits, targets, Reduction.None), 1e-14);
        // posWeight multiplies the positive term, weight the whole element.
        TensorAssert.Close([3 * 2 * Math.Log(2), -3 * Math.Log(1 - sig2)],
            Functional.BinaryCrossEntropyWithLogits(logits, targets, Reduction.None, Tensor.From(new double[] { 3 }), Tensor.From(new double[] { 2, 2 })), 1e-14);

        // Cross-entropy of logits [0, ln 3] with class 1: -log(3/4).
        var ce = Tensor.From(new double[] { 0, Math.Log(3), 0, 0 }, 2, 2);
        var labels = Tensor.From(new long[] { 1, 0 });
        TensorAssert.Close([-Math.Log(0.75), Math.Log(2)], Functional.CrossEntropy(ce, labels, Reduction.None), 1e-14);
        Assert.AreEqual((-Math.Log(0.75) + Math.Log(2)) / 2, Functional.CrossEntropy(ce, labels).Item(), 1e-14);
        Assert.AreEqual(-Math.Log(0.75) + Math.Log(2), Functional.NllLoss(ce.LogSoftmax(1), labels, Reduction.Sum).Item(), 1e-14);
        TensorAssert.Close([-Math.Log(3), -0.0], Functional.NllLoss(ce, labels, Reduction.None), 1e-14);
    }

    [TestMethod]
    public void Dropout_ScalesKeptElements_AndIsIdentityInEvaluation()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(4);
        var x = Torch.Ones([10_000], DType.Float64);
        var y = Functional.Dropout(x, 0.25).ToArray<double>();
        Assert.IsTrue(y.All(v => v == 0 || Math.Abs(v - 4.0 / 3) < 1e-15), "Kept elements are scaled by 1/(1-p).");
        Assert.AreEqual(0.25, y.Count(v => v == 0) / 10_000.0, 0.02);
        CollectionAssert.AreEqual(x.ToArray<double>(), Functional.Dropout(x, 0.25, training: false).ToArray<double>());
        Assert.AreEqual(0.0, Functional.Dropout(x, 1).Sum().Item());
        Assert.ThrowsExactly<ArgumentException>(() => Functional.Dropout(x, 1.5));
    }
}
