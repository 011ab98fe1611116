using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

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
            using var scope = Torch.NewDisposeScope();
            var x = Torch.Rand([2, channels, size, size]);
            var (mean, logVar) = encoder.Forward(x);
            CollectionAssert.AreEqual(new long[] { 2, latent }, mean.Shape);
            CollectionAssert.AreEqual(new long[] { 2, latent }, logVar.Shape);
            CollectionAssert.AreEqual(new long[] { 2, channels, size, size }, decoder.Forward(mean).Shape);
            var names = encoder.NamedParameters().Select(p => p.Name).ToList();
            // conv5×5 without bias, a 1×1 expansion only where channels change, and the final linear layer.
            CollectionAssert.Contains(names, "main.0.weight");
            CollectionAssert.DoesNotContain(names, "main.0.bias");
            CollectionAssert.Contains(names, "main.4.conv_expand.weight");
            CollectionAssert.DoesNotContain(names, $"main.{4 + 2 * (expectedChannels.Length - 1)}.conv_expand.weight");
            CollectionAssert.Contains(names, "fc.weight");
            var decoderNames = decoder.NamedParameters().Select(p => p.Name).ToList();
            Assert.AreEqual($"main.{2 * expectedChannels.Length + 1}.bias", decoderNames[^1], "the output convolution has a bias");
        }
    }

    [TestMethod]
    public void ResidualBlockMatchesItsDefinition()
    {
        using var block = new IntroResNetBlock(2, 2);
        block.Eval();
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Randn([1, 2, 3, 3]);
        // In evaluation mode with fresh running statistics BN is the identity (up to 1/√(1 + 1e-5)).
        var weights = block.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        double bnScale = 1 / Math.Sqrt(1 + 1e-5);
        var h = (Functional.Conv2d(x, weights["conv1.weight"], null, 1, 1) * bnScale).LeakyRelu(0.2);
        var expected = (Functional.Conv2d(h, weights["conv2.weight"], null, 1, 1) * bnScale + x).LeakyRelu(0.2);
        var got = block.Forward(x);
        Assert.IsTrue((got - expected).Abs().Max().Item() < 1e-5);
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
            var shapes = encoder.NamedParameters().Where(p => p.Name.EndsWith("weight")).Select(p => string.Join("x", p.Parameter.Shape)).ToArray();
            CollectionAssert.AreEqual(new[] { "256x2", "256x256", "256x256", "256x256", "4x256" }, shapes);
            var decoderShapes = decoder.NamedParameters().Where(p => p.Name.EndsWith("weight")).Select(p => string.Join("x", p.Parameter.Shape)).ToArray();
            CollectionAssert.AreEqual(new[] { "256x2", "256x256", "256x256", "256x256", "2x256" }, decoderShapes);
        }
    }
}
