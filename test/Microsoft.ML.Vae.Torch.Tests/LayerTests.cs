using Microsoft.ML.Vae.Torch.NN;

namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>nn layers: parameter shapes and initialization, forward results, and training versus evaluation behaviour.</summary>
[TestClass]
public sealed class LayerTests : TorchTestBase
{
    [TestMethod]
    public void Linear_ParametersAndForward()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(1);
        using var layer = new Linear(4, 3);
        TensorAssert.Shape([3, 4], layer.Weight);
        TensorAssert.Shape([3], layer.Bias!);
        Assert.IsTrue(layer.Weight.RequiresGrad);
        Assert.IsTrue(layer.Weight.IsLeaf);
        Assert.AreEqual(15L, layer.ParameterCount);
        // PyTorch's default init: U(-1/√in, 1/√in) for weight and bias.
        Assert.IsTrue(layer.Weight.Abs().Max().Item() <= 0.5);
        Assert.IsTrue(layer.Weight.Std().Item() > 0.1, "Weights are random, not constant.");
        var x = Torch.Randn([5, 4]);
        var y = layer.Forward(x);
        TensorAssert.Shape([5, 3], y);
        TensorAssert.Close(Torch.MatMul(x, layer.Weight.T) + layer.Bias!, y, 1e-6);
        using var noBias = new Linear(4, 2, bias: false);
        Assert.IsNull(noBias.Bias);
        Assert.AreEqual(1, noBias.Parameters().Count);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Linear(0, 3));
    }

    [TestMethod]
    public void Conv2d_And_ConvTranspose2d_Layers()
    {
        using var conv = new Conv2d(4, 6, 3, stride: 2, padding: 1, groups: 2);
        TensorAssert.Shape([6, 2, 3, 3], conv.Weight);
        using var deconv = new ConvTranspose2d(6, 4, 4, stride: 2, padding: 1, groups: 2);
        TensorAssert.Shape([6, 2, 4, 4], deconv.Weight);
        TensorAssert.Shape([4], deconv.Bias!);
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Randn([2, 4, 8, 8]);
        var h = conv.Forward(x);
        TensorAssert.Shape([2, 6, 4, 4], h);
        TensorAssert.Close(Functional.Conv2d(x, conv.Weight, conv.Bias, 2, 1, 1, 2), h, 1e-6);
        var back = deconv.Forward(h);
        TensorAssert.Shape([2, 4, 8, 8], back);
        TensorAssert.Close(Functional.ConvTranspose2d(h, deconv.Weight, deconv.Bias, 2, 1, 0, 1, 2), back, 1e-6);
        Assert.ThrowsExactly<ArgumentException>(() => new Conv2d(3, 4, 3, groups: 2));
        using var dilated = new ConvTranspose2d(2, 2, 3, stride: 2, outputPadding: 1, dilation: 2);
        TensorAssert.Shape([1, 2, 12, 12], dilated.Forward(Torch.Zeros([1, 2, 4, 4])));
    }

    [TestMethod]
    public void BatchNorm1d_TrainUpdatesRunningStatistics_EvalUsesThem()
    {
        using var bn = new BatchNorm1d(2, momentum: 0.5);
        Assert.IsTrue(bn.Training);
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new float[] { 1, 10, 3, 30 }, 2, 2);
        var y = bn.Forward(x);
        // Each column is normalized to about [-1, 1] (eps makes it slightly smaller).
        TensorAssert.Close([-1, -1, 1, 1], y, 1e-3);
        // running = 0.5·initial + 0.5·batch (unbiased var: 2 and 200).
        TensorAssert.Close([1, 10], bn.RunningMean, 1e-6);
        TensorAssert.Close([1.5, 100.5], bn.RunningVar, 1e-4);
        Assert.AreEqual(1L, bn.NumBatchesTracked.ItemLong());

        bn.Eval();
        Assert.IsFalse(bn.Training);
        var e = bn.Forward(x);
        TensorAssert.Close([0, 0, 2 / Math.Sqrt(1.5 + 1e-5), 20 / Math.Sqrt(100.5 + 1e-5)], e, 1e-5);
        TensorAssert.Close([1, 10], bn.RunningMean, 1e-6);
        Assert.AreEqual(1L, bn.NumBatchesTracked.ItemLong(), "Evaluation leaves the statistics alone.");
        Assert.ThrowsExactly<ArgumentException>(() => bn.Forward(Torch.Zeros([2, 2, 2, 2])));
    }

    [TestMethod]
    public void BatchNorm2d_NormalizesPerChannel()
    {
        using var bn = new BatchNorm2d(3);
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(2);
        var x = Torch.Randn([8, 3, 4, 4]) * 5 + 2;
        var y = bn.Forward(x);
        TensorAssert.Close(new double[3], y.Mean([0, 2, 3]), 1e-5);
        TensorAssert.Close([1, 1, 1], y.Var([0, 2, 3], unbiased: false), 1e-3);
        TensorAssert.Close(x.Mean([0, 2, 3]) * 0.1, bn.RunningMean, 1e-5);
        Assert.ThrowsExactly<ArgumentException>(() => bn.Forward(Torch.Zeros([2, 3])));
        using var plain = new BatchNorm2d(3, affine: false);
        Assert.AreEqual(0, plain.Parameters().Count);
        Assert.AreEqual(3, plain.NamedBuffers().Count());
    }

    [TestMethod]
    public void LayerNorm_And_GroupNorm_Layers()
    {
        using var ln = new LayerNorm([4]);
        using var gn = new GroupNorm(2, 4);
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(3);
        var x = Torch.Randn([3, 4]) * 3 + 1;
        var y = ln.Forward(x);
        TensorAssert.Close(new double[3], y.Mean(1), 1e-5);
        TensorAssert.Close(Functional.LayerNorm(x, [4]), y, 1e-6);
        TensorAssert.Shape([4], ln.Weight!);
        var image = Torch.Randn([2, 4, 3, 3]);
        TensorAssert.Close(Functional.GroupNorm(image, 2), gn.Forward(image), 1e-6);
        Assert.ThrowsExactly<ArgumentException>(() => new GroupNorm(3, 4));
    }

    [TestMethod]
    public void Dropout_ActiveInTraining_IdentityInEvaluation()
    {
        using var dropout = new Dropout(0.5);
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(4);
        var x = Torch.Ones([1000]);
        var train = dropout.Forward(x).ToArray<float>();
        Assert.IsTrue(train.Count(v => v == 0) is > 400 and < 600);
        Assert.IsTrue(train.All(v => v is 0 or 2));
        dropout.Eval();
        CollectionAssert.AreEqual(x.ToArray<float>(), dropout.Forward(x).ToArray<float>());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Dropout(1.5));
    }

    [TestMethod]
    public void Sequential_ChainsLayers_AndPropagatesTrainingMode()
    {
        using var net = new Sequential(new Linear(3, 8), new ReLU(), new Dropout(0.3), new Linear(8, 2), new Tanh());
        Assert.AreEqual(5, net.Count);
        CollectionAssert.AreEqual(new[] { "0.weight", "0.bias", "3.weight", "3.bias" }, net.NamedParameters().Select(p => p.Name).ToArray());
        net.Eval();
        Assert.IsFalse(net[2].Training);
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Randn([4, 3]);
        var expected = net[0].Forward(x).Relu();
        expected = net[3].Forward(expected).Tanh();
        var before = Tensor.LiveCount;
        var y = net.Forward(x);
        Assert.AreEqual(before + 1, Tensor.LiveCount, "Intermediate results are released inside Forward.");
        TensorAssert.Close(expected, y, 1e-6);
        net.Train();
        Assert.IsTrue(net[2].Training);
        using var empty = new Sequential();
        TensorAssert.Close(x, empty.Forward(x), 0);
    }

    [TestMethod]
    public void ActivationLayers_MatchTheTensorOps()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { -2, -0.5, 0.5, 2 });
        var cases = new (Layer Layer, Tensor Expected)[]
        {
            (new ReLU(), x.Relu()), (new GELU(), x.Gelu()), (new Sigmoid(), x.Sigmoid()), (new Tanh(), x.Tanh()),
            (new SiLU(), x.Silu()), (new Identity(), x), (new LeakyReLU(0.2), x.LeakyRelu(0.2)), (new ELU(0.5), x.Elu(0.5)),
            (new Softplus(2, 10), x.Softplus(2, 10)), (new Hardtanh(-1, 0.75), x.Hardtanh(-1, 0.75)),
        };
        foreach (var (layer, expected) in cases)
        {
            using (layer)
            {
                TensorAssert.Close(expected, layer.Forward(x), 0);
                Assert.AreEqual(0, layer.Parameters().Count);
            }
        }
    }

    [TestMethod]
    public void ReshapeResampleAndPoolingLayers()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Arange(32, DType.Float32).View(2, 1, 4, 4);
        using var flatten = new Flatten();
        TensorAssert.Shape([2, 16], flatten.Forward(x));
        using var unflatten = new Unflatten(1, 4, 4);
        TensorAssert.Close(x, unflatten.Forward(flatten.Forward(x)), 0);
        using var nearest = new Upsample(2);
        TensorAssert.Close(Functional.UpsampleNearest(x, 8, 8), nearest.Forward(x), 0);
        using var bilinear = new Upsample(3, bilinear: true);
        TensorAssert.Close(Functional.UpsampleBilinear(x, 12, 12), bilinear.Forward(x), 0);
        using var avg = new AvgPool2d(2);
        TensorAssert.Close(Functional.AvgPool2d(x, 2), avg.Forward(x), 0);
        using var max = new MaxPool2d(3, 1, 1);
        TensorAssert.Close(Functional.MaxPool2d(x, 3, 1, 1), max.Forward(x), 0);
        using var adaptive = new AdaptiveAvgPool2d(1, 2);
        TensorAssert.Shape([2, 1, 1, 2], adaptive.Forward(x));
    }

    [TestMethod]
    public void Layer_Backward_ReachesEveryParameter()
    {
        using var net = new Sequential(new Conv2d(1, 2, 3, padding: 1), new BatchNorm2d(2), new ReLU(), new Flatten(), new Linear(32, 1));
        using (var scope = Torch.NewDisposeScope())
        {
            Torch.ManualSeed(5);
            net.Forward(Torch.Randn([3, 1, 4, 4])).Square().Mean().Backward();
        }
        foreach (var (name, p) in net.NamedParameters())
        {
            using var g = p.Grad;
            Assert.IsNotNull(g, $"{name} has a gradient.");
            TensorAssert.Shape(p.Shape, g);
        }
        net.ZeroGrad();
        Assert.IsTrue(net.Parameters().All(p => { using var g = p.Grad; return g is null; }));
    }
}
