using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class GamixNetworkTests
{
    private const double Eps = 1e-3, Momentum = 0.01;

    /// <summary>Keras counts BatchNorm's moving mean and variance as (non-trainable) parameters.</summary>
    private static long KerasCount(nn.Module m, Func<string, bool>? include = null)
    {
        include ??= _ => true;
        long trainable = m.named_parameters().Where(p => include(p.name)).Sum(p => p.parameter.numel());
        long moving = m.named_buffers().Where(b => include(b.name) && (b.name.EndsWith("running_mean") || b.name.EndsWith("running_var")))
            .Sum(b => b.buffer.numel());
        return trainable + moving;
    }

    private static long ParameterCount(nn.Module m) => m.parameters().Sum(p => p.numel());

    [TestMethod]
    public void SamePaddingReproducesKerasSizes()
    {
        Assert.AreEqual((1, 1), PreActResNetSamePadding.TransposedPadding(3, 2));
        Assert.AreEqual((1, 0), PreActResNetSamePadding.TransposedPadding(3, 1));
        Assert.AreEqual((0, 1), PreActResNetSamePadding.TransposedPadding(1, 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PreActResNetSamePadding.ConvPadding(4));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        foreach (long n in new long[] { 1, 2, 3, 4, 5, 7, 14, 27, 28, 33 })
        {
            var x = torch.randn(1, 2, n, n);
            foreach (int stride in new[] { 1, 2, 3 })
            {
                long same = (n + stride - 1) / stride;
                Assert.AreEqual(same, PreActResNetSamePadding.ConvOutputSize(n, stride));
                foreach (int kernel in new[] { 1, 3 })
                {
                    using var conv = PreActResNetSamePadding.Conv(2, 2, kernel, stride);
                    CollectionAssert.AreEqual(new[] { 1, 2, same, same }, conv.forward(x).shape, $"conv k{kernel} s{stride} n{n}");
                    using var convT = PreActResNetSamePadding.ConvTranspose(2, 2, kernel, stride);
                    CollectionAssert.AreEqual(new[] { 1, 2, n * stride, n * stride }, convT.forward(x).shape, $"convT k{kernel} s{stride} n{n}");
                }
            }
        }
    }

    [TestMethod]
    public void PreActivationBlocksHaveTheExpectedShapes()
    {
        torch.manual_seed(1);
        using var scope = torch.NewDisposeScope();
        using var identity = new PreActResNetIdentityBlock(8, Eps, Momentum);
        using var down = new PreActResNetDownBlock(8, 16, Eps, Momentum);
        using var up = new PreActResNetUpBlock(8, 3, Eps, Momentum);
        using var triple = new PreActResNetTripleConv(8, 4, 2, Eps, Momentum);
        foreach (long n in new long[] { 7, 28, 32 })
        {
            var x = torch.randn(2, 8, n, n);
            long half = (n + 1) / 2;
            CollectionAssert.AreEqual(new[] { 2, 8, n, n }, identity.forward(x).shape);
            CollectionAssert.AreEqual(new[] { 2, 16, half, half }, down.forward(x).shape);
            CollectionAssert.AreEqual(new[] { 2, 3, 2 * n, 2 * n }, up.forward(x).shape);
            CollectionAssert.AreEqual(new[] { 2, 4, half, half }, triple.forward(x).shape);
        }
        // The three pre-activation units of T: 3×3, 3×3, then the strided 1×1.
        var names = triple.named_parameters().Select(p => p.name).Where(n => n.EndsWith("conv.weight")).ToArray();
        CollectionAssert.AreEqual(new[] { "first.conv.weight", "second.conv.weight", "third.conv.weight" }, names);
        CollectionAssert.AreEqual(new long[] { 4, 4, 1, 1 }, triple.state_dict()["third.conv.weight"].shape);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => identity.forward(torch.randn(2, 5, 7, 7)));
        StringAssert.Contains(ex.Message, "[N, 8, H, W]");
    }

    [TestMethod]
    [DataRow(1, 28, 2, 7)]
    [DataRow(3, 32, 3, 4)]
    [DataRow(3, 256, 6, 4)]
    public void EncoderAndDecoderShapesForEachConfiguration(int channels, int side, int stages, int codeSide)
    {
        long baseline = LiveTensors.Count;
        torch.manual_seed(2);
        // Tiny widths keep even the 256×256 geometry cheap.
        var config = new PreActResNetConfig
        {
            Channels = channels, Height = side, Width = side, LatentDim = 16, Filters = 4, Stages = stages,
            CodeChannels = PreActResNetConfig.DefaultCodeChannels(16),
        };
        Assert.AreEqual(codeSide, config.CodeHeight);
        using (var encoder = new PreActResNetEncoder(config))
        using (var decoder = new PreActResNetDecoder(config))
        using (torch.NewDisposeScope())
        {
            var x = torch.rand(2, channels, side, side) * 2.0 - 1.0;
            CollectionAssert.AreEqual(new long[] { 2, 2, codeSide, codeSide }, encoder.Features(x).shape);
            var (mean, logVar) = encoder.forward(x);
            CollectionAssert.AreEqual(new long[] { 2, 16 }, mean.shape);
            CollectionAssert.AreEqual(new long[] { 2, 16 }, logVar.shape);
            CollectionAssert.AreEqual(new long[] { 2, channels, side, side }, decoder.forward(mean).shape);
            // The layer norm's affine weights cover (H, W), as Keras' LayerNormalization(axis=(1, 2)).
            CollectionAssert.AreEqual(new long[] { side, side }, encoder.state_dict()["input_norm.weight"].shape);
            Assert.ThrowsExactly<ArgumentException>(() => encoder.forward(torch.rand(2, channels, side / 2, side / 2)));
            Assert.ThrowsExactly<ArgumentException>(() => decoder.forward(torch.rand(2, 15)));
        }
        Assert.AreEqual(baseline, LiveTensors.Count, "tensors leaked");
    }

    [TestMethod]
    public void ConfigurationRejectsSidesThatTheStagesCannotRestore()
    {
        var bad = new PreActResNetConfig { Channels = 1, Height = 28, Width = 28, Stages = 3 };
        var ex = Assert.ThrowsExactly<ArgumentException>(bad.Validate);
        StringAssert.Contains(ex.Message, "divisible by 8");
        Assert.ThrowsExactly<ArgumentException>(() => new PreActResNetEncoder(bad with { Filters = 0, Stages = 2 }));
    }

    [TestMethod]
    public void PaperConfigurationHasThePublishedParameterCounts()
    {
        using var model = new GamixVae(GamixPresets.Faces256(patchGan: true));
        static bool Head(string name) => name.StartsWith("encoder.mean.", StringComparison.Ordinal) || name.StartsWith("encoder.logvar.", StringComparison.Ordinal);
        // The released summary reports 9,932,466 for the VAE: its dense heads were not built when the
        // summary ran, and BatchNorm's moving statistics are included.
        Assert.AreEqual(9_932_466, KerasCount(model, n => !Head(n)));
        Assert.AreEqual(2 * (4 * 4 * 64 * 512 + 512), model.named_parameters().Where(p => Head(p.name)).Sum(p => p.parameter.numel()));
        Assert.AreEqual(10_957_740, ParameterCount(model));

        using var patchGan = new PatchGanDiscriminator(3);
        Assert.AreEqual(412_101, KerasCount(patchGan));
        Assert.AreEqual(411_075, ParameterCount(patchGan));
        Assert.AreEqual(32, patchGan.OutputSize(256));
    }

    [TestMethod]
    public void PatchGanLayersFollowTheCode()
    {
        torch.manual_seed(3);
        using var d = new PatchGanDiscriminator(1, [8, 8, 8, 4, 4, 1], [2, 2, 2, 1, 1, 1]);
        using var scope = torch.NewDisposeScope();
        CollectionAssert.AreEqual(new long[] { 5, 1, 4, 4 }, d.forward(torch.rand(5, 1, 28, 28)).shape);
        Assert.AreEqual(4, d.OutputSize(28));
        // conv → batch norm → LeakyReLU(0.3) → dropout, except the last layer, which has no activation.
        var layers = d.named_children().Single().module.named_children().Select(c => (Sequential)c.module).ToArray();
        Assert.HasCount(6, layers);
        foreach (var layer in layers.Take(5))
        {
            Assert.AreEqual(4, layer.Count);
            Assert.AreEqual(0.3, ((LeakyReLU)layer[2]).negative_slope);
            Assert.AreEqual(0.25, ((Dropout)layer[3]).p);
        }
        Assert.AreEqual(3, layers[5].Count);
        Assert.IsInstanceOfType<BatchNorm2d>(layers[5][1]);
        Assert.IsInstanceOfType<Dropout>(layers[5][2]);
        Assert.ThrowsExactly<ArgumentException>(() => new PatchGanDiscriminator(1, [8, 1], [2]));
        Assert.ThrowsExactly<ArgumentException>(() => d.forward(torch.rand(5, 3, 28, 28)));
    }
}
