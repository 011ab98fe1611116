using Microsoft.ML.Vae.Core.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static Microsoft.ML.Vae.Core.Tests.KernelsTestSupport;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class NetworksTests
{
    private static long ParameterCount(nn.Module module) => module.parameters().Sum(p => p.numel());

    [TestMethod]
    public void BetaMnistShapesAndParameterCount()
    {
        long baseline = LiveTensors.Count;
        using (var encoder = BetaMnistNetworks.Encoder(2))
        using (var decoder = BetaMnistNetworks.Decoder(2))
        using (torch.NewDisposeScope())
        {
            var x = torch.rand(3, 1, 28, 28);
            var (mean, logVar) = encoder.forward(x);
            CollectionAssert.AreEqual(new long[] { 3, 2 }, mean.shape);
            CollectionAssert.AreEqual(new long[] { 3, 2 }, logVar.shape);
            CollectionAssert.AreEqual(new long[] { 3, 1, 28, 28 }, decoder.forward(mean).shape);
            // Conv 1→32 k4, 32→32 k3, 32→32 k4, 32→32 k3, FC 512→256→256→4.
            long expected = (16 * 32 + 32) + (32 * 32 * 9 + 32) + (32 * 32 * 16 + 32) + (32 * 32 * 9 + 32)
                + (512 * 256 + 256) + (256 * 256 + 256) + (256 * 4 + 4);
            Assert.AreEqual(expected, ParameterCount(encoder));
        }
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void FactorMnistShapesAndParameterCount()
    {
        using var encoder = FactorMnistNetworks.Encoder(3);
        using var decoder = FactorMnistNetworks.Decoder(3);
        using var scope = torch.NewDisposeScope();
        var (mean, logVar) = encoder.forward(torch.rand(2, 1, 28, 28));
        CollectionAssert.AreEqual(new long[] { 2, 3 }, mean.shape);
        CollectionAssert.AreEqual(new long[] { 2, 3 }, logVar.shape);
        CollectionAssert.AreEqual(new long[] { 2, 1, 28, 28 }, decoder.forward(mean).shape);
        long expected = (16 * 32 + 32) + (32 * 64 * 9 + 64) + (64 * 64 * 16 + 64) + (64 * 256 * 9 + 256)
            + (256 * 256 * 16 + 256) + (256 * 6 + 6);
        Assert.AreEqual(expected, ParameterCount(encoder));
    }

    [TestMethod]
    public void SplitEncoderTakesMeanFirstAndLogVarianceSecond()
    {
        using var mlp = new Mlp(3, [], 4);
        using var encoder = new SplitGaussianEncoder(mlp, 2);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(5, 3);
        var features = Floats(mlp.forward(x));
        var (mean, logVar) = encoder.forward(x);
        var m = Floats(mean);
        var lv = Floats(logVar);
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
        Assert.AreEqual(8L * 16 + 16 + 16 * 12 + 12 + 12 * 3 + 3, ParameterCount(mlp));
        var names = mlp.state_dict().Keys.ToList();
        CollectionAssert.AreEqual(new[] { "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "layers.4.weight", "layers.4.bias" }, names);
        using var scope = torch.NewDisposeScope();
        CollectionAssert.AreEqual(new long[] { 4, 3 }, mlp.forward(torch.randn(4, 8)).shape);
        CollectionAssert.AreEqual(new long[] { 4, 3 }, mlp.forward(torch.randn(4, 2, 4)).shape);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => mlp.forward(torch.randn(4, 7)));
        StringAssert.Contains(ex.Message, "8 features");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Mlp(8, [0], 3));
    }

    [TestMethod]
    public void FactorDiscriminatorLayout()
    {
        using var d = new FactorDiscriminator(2);
        Assert.AreEqual(2L * 1000 + 1000 + 4L * (1000 * 1000 + 1000) + 1000 * 2 + 2, ParameterCount(d));
        using var small = new FactorDiscriminator(3, hiddenSize: 16, hiddenLayers: 2);
        using var scope = torch.NewDisposeScope();
        CollectionAssert.AreEqual(new long[] { 7, 2 }, small.forward(torch.randn(7, 3)).shape);
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
        using (torch.NewDisposeScope())
        {
            var (mean, _) = encoder.forward(torch.rand(2, 1, 28, 28));
            CollectionAssert.AreEqual(new long[] { 2, 1, 28, 28 }, decoder.forward(mean).shape);
        }
        var (convEncoder, convDecoder) = NetworkFactory.Create([1, 28, 28], 2);
        using (convEncoder)
        using (convDecoder)
            Assert.IsInstanceOfType<Sequential>(convDecoder);
    }

    [TestMethod]
    public void NetworksBuiltInsideADisposeScopeKeepTheirWeights()
    {
        long baseline = LiveTensors.Count;
        Mlp mlp;
        Sequential decoder;
        using (torch.NewDisposeScope())
        {
            mlp = new Mlp(3, [5], 2);
            decoder = BetaMnistNetworks.Decoder(2);
        }
        using (mlp)
        using (decoder)
        using (torch.NewDisposeScope())
        {
            Assert.IsTrue(mlp.parameters().All(p => !p.IsInvalid));
            CollectionAssert.AreEqual(new long[] { 4, 2 }, mlp.forward(torch.randn(4, 3)).shape);
            CollectionAssert.AreEqual(new long[] { 4, 1, 28, 28 }, decoder.forward(torch.randn(4, 2)).shape);
        }
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    /// <summary>A network written by a user the TorchSharp way: fields registered by reflection.</summary>
    private sealed class UserEncoder : nn.Module<Tensor, Tensor>
    {
        private readonly Linear fc;

        public UserEncoder(int inputs, int outputs)
            : base(nameof(UserEncoder))
        {
            fc = nn.Linear(inputs, outputs);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => fc.forward(input.flatten(1)).tanh();
    }

    [TestMethod]
    public void AUserTorchSharpModuleServesAsTheEncoderBody()
    {
        using var encoder = new SplitGaussianEncoder(new UserEncoder(6, 4), 2);
        CollectionAssert.AreEquivalent(new[] { "body.fc.weight", "body.fc.bias" }, encoder.state_dict().Keys.ToArray());
        using var scope = torch.NewDisposeScope();
        var (mean, logVar) = encoder.forward(torch.randn(3, 2, 3));
        CollectionAssert.AreEqual(new long[] { 3, 2 }, mean.shape);
        CollectionAssert.AreEqual(new long[] { 3, 2 }, logVar.shape);
        using var wrong = new SplitGaussianEncoder(new UserEncoder(6, 5), 2);
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => wrong.forward(torch.randn(3, 6)));
        StringAssert.Contains(ex.Message, "[N, 4]");
    }

    [TestMethod]
    public void NestedNetworksRegisterEachWeightOnceUnderItsExplicitName()
    {
        // The library's modules register explicitly; TorchSharp's reflection-based registration, which runs when
        // a module becomes a child, must not add their private fields a second time.
        using var encoder = new SplitGaussianEncoder(new Mlp(3, [4], 4), 2);
        CollectionAssert.AreEqual(new[] { "body.layers.0.weight", "body.layers.0.bias", "body.layers.2.weight", "body.layers.2.bias" },
            encoder.state_dict().Keys.ToArray());
        using var discriminator = new FactorDiscriminator(2, hiddenSize: 3, hiddenLayers: 1);
        CollectionAssert.AreEqual(new[] { "net.layers.0.weight", "net.layers.0.bias", "net.layers.2.weight", "net.layers.2.bias" },
            discriminator.state_dict().Keys.ToArray());
    }
}
