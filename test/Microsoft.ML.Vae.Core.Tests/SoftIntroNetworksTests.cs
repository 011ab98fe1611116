using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Networks;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class SoftIntroNetworksTests
{
    [TestMethod]
    [DataRow(1, 28, 32, new[] { 64, 128 }, new long[] { 128, 7, 7 })]
    [DataRow(3, 32, 128, new[] { 64, 128, 256 }, new long[] { 256, 4, 4 })]
    public void ResidualNetworksHaveTheReferenceShapes(int channels, int size, int latent, int[] expectedChannels, long[] convShape)
    {
        CollectionAssert.AreEqual(expectedChannels, IntroResNet.DefaultChannels(size));
        var (encoder, decoder) = IntroResNet.Create([channels, size, size], latent);
        using (encoder)
        using (decoder)
        {
            CollectionAssert.AreEqual(convShape, encoder.ConvOutputShape.ToArray());
            using var scope = torch.NewDisposeScope();
            var x = torch.rand(2, channels, size, size);
            var (mean, logVar) = encoder.forward(x);
            CollectionAssert.AreEqual(new long[] { 2, latent }, mean.shape);
            CollectionAssert.AreEqual(new long[] { 2, latent }, logVar.shape);
            CollectionAssert.AreEqual(new long[] { 2, channels, size, size }, decoder.forward(mean).shape);
            var names = encoder.named_parameters().Select(p => p.name).ToList();
            // conv5×5 without bias, a 1×1 expansion only where channels change, and the final linear layer.
            CollectionAssert.Contains(names, "main.0.weight");
            CollectionAssert.DoesNotContain(names, "main.0.bias");
            CollectionAssert.Contains(names, "main.4.conv_expand.weight");
            CollectionAssert.DoesNotContain(names, $"main.{4 + 2 * (expectedChannels.Length - 1)}.conv_expand.weight");
            CollectionAssert.Contains(names, "fc.weight");
            var decoderNames = decoder.named_parameters().Select(p => p.name).ToList();
            Assert.AreEqual($"main.{2 * expectedChannels.Length + 1}.bias", decoderNames[^1], "the output convolution has a bias");
        }
    }

    [TestMethod]
    public void ResidualBlockMatchesItsDefinition()
    {
        using var block = new IntroResNetBlock(2, 2);
        block.eval();
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(1, 2, 3, 3);
        // In evaluation mode with fresh running statistics BN is the identity (up to 1/√(1 + 1e-5)).
        var weights = block.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        double bnScale = 1 / Math.Sqrt(1 + 1e-5);
        var h = F.leaky_relu(F.conv2d(x, weights["conv1.weight"], null, strides: [1, 1], padding: [1, 1]) * bnScale, 0.2);
        var expected = F.leaky_relu(F.conv2d(h, weights["conv2.weight"], null, strides: [1, 1], padding: [1, 1]) * bnScale + x, 0.2);
        var got = block.forward(x);
        Assert.IsTrue((got - expected).abs().max().ItemAsDouble() < 1e-5);
    }

    [TestMethod]
    public void InvalidImageSizesAreRejectedClearly()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => IntroResNet.Create([1, 30, 30], 8, [64, 128]));
        StringAssert.Contains(ex.Message, "multiples of 4");
        Assert.ThrowsExactly<ArgumentException>(() => IntroResNet.DefaultChannels(48));
        Assert.ThrowsExactly<ArgumentException>(() => IntroResNet.Create([2], 8));
    }

    [TestMethod]
    public void TwoDimensionalNetworksFollowTheReference()
    {
        var options = SoftIntroPresets.Toy("8gaussians");
        var (encoder, decoder) = SoftIntroNetworks.Create(options);
        using (encoder)
        using (decoder)
        {
            // 2→256→256→256→256→2d encoder and its mirror: five linear layers each.
            var shapes = encoder.named_parameters().Where(p => p.name.EndsWith("weight")).Select(p => string.Join("x", p.parameter.shape)).ToArray();
            CollectionAssert.AreEqual(new[] { "256x2", "256x256", "256x256", "256x256", "4x256" }, shapes);
            var decoderShapes = decoder.named_parameters().Where(p => p.name.EndsWith("weight")).Select(p => string.Join("x", p.parameter.shape)).ToArray();
            CollectionAssert.AreEqual(new[] { "256x2", "256x256", "256x256", "256x256", "2x256" }, decoderShapes);
        }
    }
}
