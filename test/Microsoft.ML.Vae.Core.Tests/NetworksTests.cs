using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

[TestClass]
public sealed class NetworksTests
{
    [TestMethod]
    public void BetaMnistShapesAndParameterCount()
    {
        long baseline = Tensor.LiveCount;
        using (var encoder = BetaMnistNetworks.Encoder(2))
        using (var decoder = BetaMnistNetworks.Decoder(2))
        using (Torch.NewDisposeScope())
        {
            var x = Torch.Rand([3, 1, 28, 28]);
            var (mean, logVar) = encoder.Forward(x);
            CollectionAssert.AreEqual(new long[] { 3, 2 }, mean.Shape);
            CollectionAssert.AreEqual(new long[] { 3, 2 }, logVar.Shape);
            CollectionAssert.AreEqual(new long[] { 3, 1, 28, 28 }, decoder.Forward(mean).Shape);
            // Conv 1→32 k4, 32→32 k3, 32→32 k4, 32→32 k3, FC 512→256→256→4.
            long expected = (16 * 32 + 32) + (32 * 32 * 9 + 32) + (32 * 32 * 16 + 32) + (32 * 32 * 9 + 32)
                + (512 * 256 + 256) + (256 * 256 + 256) + (256 * 4 + 4);
            Assert.AreEqual(expected, encoder.ParameterCount);
        }
        Assert.AreEqual(baseline, Tensor.LiveCount);
    }

    [TestMethod]
    public void FactorMnistShapesAndParameterCount()
    {
        using var encoder = FactorMnistNetworks.Encoder(3);
        using var decoder = FactorMnistNetworks.Decoder(3);
        using var scope = Torch.NewDisposeScope();
        var (mean, logVar) = encoder.Forward(Torch.Rand([2, 1, 28, 28]));
        CollectionAssert.AreEqual(new long[] { 2, 3 }, mean.Shape);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, logVar.Shape);
        CollectionAssert.AreEqual(new long[] { 2, 1, 28, 28 }, decoder.Forward(mean).Shape);
        long expected = (16 * 32 + 32) + (32 * 64 * 9 + 64) + (64 * 64 * 16 + 64) + (64 * 256 * 9 + 256)
            + (256 * 256 * 16 + 256) + (256 * 6 + 6);
        Assert.AreEqual(expected, encoder.ParameterCount);
    }

    [TestMethod]
    public void SplitEncoderTakesMeanFirstAndLogVarianceSecond()
    {
        using var mlp = new Mlp(3, [], 4);
        using var encoder = new SplitGaussianEncoder(mlp, 2);
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Randn([5, 3]);
        var features = mlp.Forward(x).ToArray<float>();
        var (mean, logVar) = encoder.Forward(x);
        var m = mean.ToArray<float>();
        var lv = logVar.ToArray<float>();
        for (int s = 0; s < 5; s++)
        {
            Assert.AreEqual(features[s * 4], m[s * 2]);
            Assert.AreEqual(features[s * 4 + 1], m[s * 2 + 1]);
            Assert.AreEqual(features[s * 4 + 2], lv[s * 2]);
            Assert.AreEqual(features[s * 4 + 3], lv[s * 2 + 1]);
        }
    }

    [TestMethod]
    public void MlpLayoutAndErrors()
    {
        using var mlp = new Mlp(8, [16, 12], 3, Activation.Tanh);
        Assert.AreEqual(8L * 16 + 16 + 16 * 12 + 12 + 12 * 3 + 3, mlp.ParameterCount);
        var names = mlp.StateDict().Keys.ToList();
        CollectionAssert.AreEqual(new[] { "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "layers.4.weight", "layers.4.bias" }, names);
        using var scope = Torch.NewDisposeScope();
        CollectionAssert.AreEqual(new long[] { 4, 3 }, mlp.Forward(Torch.Randn([4, 8])).Shape);
        CollectionAssert.AreEqual(new long[] { 4, 3 }, mlp.Forward(Torch.Randn([4, 2, 4])).Shape);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => mlp.Forward(Torch.Randn([4, 7])));
        StringAssert.Contains(ex.Message, "8 features");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Mlp(8, [0], 3));
    }

    [TestMethod]
    public void FactorDiscriminatorLayout()
    {
        using var d = new FactorDiscriminator(2);
        Assert.AreEqual(2L * 1000 + 1000 + 4L * (1000 * 1000 + 1000) + 1000 * 2 + 2, d.ParameterCount);
        using var small = new FactorDiscriminator(3, hiddenSize: 16, hiddenLayers: 2);
        using var scope = Torch.NewDisposeScope();
        CollectionAssert.AreEqual(new long[] { 7, 2 }, small.Forward(Torch.Randn([7, 3])).Shape);
    }

    [TestMethod]
    public void FactoryChoosesBySampleShape()
    {
        Assert.AreEqual(NetworkKind.DpConv, NetworkFactory.Resolve([1, 28, 28], NetworkKind.Auto));
        Assert.AreEqual(NetworkKind.Mlp, NetworkFactory.Resolve([8], NetworkKind.Auto));
        Assert.AreEqual(NetworkKind.Mlp, NetworkFactory.Resolve([1, 28, 28], NetworkKind.Mlp));
        Assert.AreEqual(NetworkKind.FactorConv, NetworkFactory.Resolve([1, 28, 28], NetworkKind.FactorConv));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => NetworkFactory.Resolve([3, 32, 32], NetworkKind.Auto));
        StringAssert.Contains(ex.Message, "[3, 32, 32]");
        Assert.ThrowsExactly<ArgumentException>(() => NetworkFactory.Resolve([8], NetworkKind.DpConv));
        Assert.ThrowsExactly<ArgumentException>(() => NetworkFactory.Resolve([], NetworkKind.Auto));

        var (encoder, decoder) = NetworkFactory.Create([1, 28, 28], 2, NetworkKind.Mlp, [32]);
        using (encoder)
        using (decoder)
        using (Torch.NewDisposeScope())
        {
            var (mean, _) = encoder.Forward(Torch.Rand([2, 1, 28, 28]));
            CollectionAssert.AreEqual(new long[] { 2, 1, 28, 28 }, decoder.Forward(mean).Shape);
        }
        var (convEncoder, convDecoder) = NetworkFactory.Create([1, 28, 28], 2);
        using (convEncoder)
        using (convDecoder)
            Assert.IsInstanceOfType<Sequential>(convDecoder);
    }
}
