using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

[TestClass]
public sealed class GamixNetworkTests
{
    private const double Eps = 1e-3, Momentum = 0.01;

    /// <summary>Keras counts BatchNorm's moving mean and variance as (non-trainable) parameters.</summary>
    private static long KerasCount(Module m, Func<string, bool>? include = null)
    {
        include ??= _ => true;
        long trainable = m.NamedParameters().Where(p => include(p.Name)).Sum(p => p.Parameter.NumberOfElements);
        long moving = m.NamedBuffers().Where(b => include(b.Name) && (b.Name.EndsWith("running_mean") || b.Name.EndsWith("running_var")))
            .Sum(b => b.Buffer.NumberOfElements);
        return trainable + moving;
    }

    [TestMethod]
    public void SamePaddingReproducesKerasSizes()
    {
        Assert.AreEqual((1, 1), PreActResNetSamePadding.TransposedPadding(3, 2));
        Assert.AreEqual((1, 0), PreActResNetSamePadding.TransposedPadding(3, 1));
        Assert.AreEqual((0, 1), PreActResNetSamePadding.TransposedPadding(1, 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PreActResNetSamePadding.ConvPadding(4));
        using var scope = Torch.NewDisposeScope();
        using var noGrad = Torch.NoGrad();
        foreach (long n in new long[] { 1, 2, 3, 4, 5, 7, 14, 27, 28, 33 })
        {
            var x = Torch.Randn([1, 2, n, n]);
            foreach (int stride in new[] { 1, 2, 3 })
            {
                long same = (n + stride - 1) / stride;
                Assert.AreEqual(same, PreActResNetSamePadding.ConvOutputSize(n, stride));
                foreach (int kernel in new[] { 1, 3 })
                {
                    using var conv = PreActResNetSamePadding.Conv(2, 2, kernel, stride);
                    CollectionAssert.AreEqual(new[] { 1, 2, same, same }, conv.Forward(x).Shape, $"conv k{kernel} s{stride} n{n}");
                    using var convT = PreActResNetSamePadding.ConvTranspose(2, 2, kernel, stride);
                    CollectionAssert.AreEqual(new[] { 1, 2, n * stride, n * stride }, convT.Forward(x).Shape, $"convT k{kernel} s{stride} n{n}");
                }
            }
        }
    }

    [TestMethod]
    public void PreActivationBlocksHaveTheExpectedShapes()
    {
        Torch.ManualSeed(1);
        using var scope = Torch.NewDisposeScope();
        using var identity = new PreActResNetIdentityBlock(8, Eps, Momentum);
        using var down = new PreActResNetDownBlock(8, 16, Eps, Momentum);
        using var up = new PreActResNetUpBlock(8, 3, Eps, Momentum);
        using var triple = new PreActResNetTripleConv(8, 4, 2, Eps, Momentum);
        foreach (long n in new long[] { 7, 28, 32 })
        {
            var x = Torch.Randn([2, 8, n, n]);
            long half = (n + 1) / 2;
            CollectionAssert.AreEqual(new[] { 2, 8, n, n }, identity.Forward(x).Shape);
            CollectionAssert.AreEqual(new[] { 2, 16, half, half }, down.Forward(x).Shape);
            CollectionAssert.AreEqual(new[] { 2, 3, 2 * n, 2 * n }, up.Forward(x).Shape);
            CollectionAssert.AreEqual(new[] { 2, 4, half, half }, triple.Forward(x).Shape);
        }
        // The three pre-activation units of T: 3×3, 3×3, then the strided 1×1.
        var names = triple.NamedParameters().Select(p => p.Name).Where(n => n.EndsWith("conv.weight")).ToArray();
        CollectionAssert.AreEqual(new[] { "first.conv.weight", "second.conv.weight", "third.conv.weight" }, names);
        CollectionAssert.AreEqual(new long[] { 4, 4, 1, 1 }, triple.StateDict()["third.conv.weight"].Shape);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => identity.Forward(Torch.Randn([2, 5, 7, 7])));
        StringAssert.Contains(ex.Message, "[N, 8, H, W]");
    }

    [TestMethod]
    [DataRow(1, 28, 2, 7)]
    [DataRow(3, 32, 3, 4)]
    [DataRow(3, 256, 6, 4)]
    public void EncoderAndDecoderShapesForEachConfiguration(int channels, int side, int stages, int codeSide)
    {
        long baseline = Tensor.LiveCount;
        Torch.ManualSeed(2);
        // Tiny widths keep even the 256×256 geometry cheap.
        var config = new PreActResNetConfig
        {
            Channels = channels, Height = side, Width = side, LatentDim = 16, Filters = 4, Stages = stages,
            CodeChannels = PreActResNetConfig.DefaultCodeChannels(16),
        };
        Assert.AreEqual(codeSide, config.CodeHeight);
        using (var encoder = new PreActResNetEncoder(config))
        using (var decoder = new PreActResNetDecoder(config))
        using (Torch.NewDisposeScope())
        {
            var x = Torch.Rand([2, channels, side, side]) * 2.0 - 1.0;
            CollectionAssert.AreEqual(new long[] { 2, 2, codeSide, codeSide }, encoder.Features(x).Shape);
            var (mean, logVar) = encoder.Forward(x);
            CollectionAssert.AreEqual(new long[] { 2, 16 }, mean.Shape);
            CollectionAssert.AreEqual(new long[] { 2, 16 }, logVar.Shape);
            CollectionAssert.AreEqual(new long[] { 2, channels, side, side }, decoder.Forward(mean).Shape);
            // The layer norm's affine weights cover (H, W), as Keras' LayerNormalization(axis=(1, 2)).
            CollectionAssert.AreEqual(new long[] { side, side }, encoder.StateDict()["input_norm.weight"].Shape);
            Assert.ThrowsExactly<ArgumentException>(() => encoder.Forward(Torch.Rand([2, channels, side / 2, side / 2])));
            Assert.ThrowsExactly<ArgumentException>(() => decoder.Forward(Torch.Rand([2, 15])));
        }
        Assert.AreEqual(baseline, Tensor.LiveCount, "tensors leaked");
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
        Assert.AreEqual(2 * (4 * 4 * 64 * 512 + 512), model.NamedParameters().Where(p => Head(p.Name)).Sum(p => p.Parameter.NumberOfElements));
        Assert.AreEqual(10_957_740, model.ParameterCount);

        using var patchGan = new PatchGanDiscriminator(3);
        Assert.AreEqual(412_101, KerasCount(patchGan));
        Assert.AreEqual(411_075, patchGan.ParameterCount);
        Assert.AreEqual(32, patchGan.OutputSize(256));
    }

    [TestMethod]
    public void PatchGanLayersFollowTheCode()
    {
        Torch.ManualSeed(3);
        using var d = new PatchGanDiscriminator(1, [8, 8, 8, 4, 4, 1], [2, 2, 2, 1, 1, 1]);
        using var scope = Torch.NewDisposeScope();
        CollectionAssert.AreEqual(new long[] { 5, 1, 4, 4 }, d.Forward(Torch.Rand([5, 1, 28, 28])).Shape);
        Assert.AreEqual(4, d.OutputSize(28));
        // conv → batch norm → LeakyReLU(0.3) → dropout, except the last layer, which has no activation.
        var layers = d.NamedChildren().Single().Module.NamedChildren().Select(c => (Sequential)c.Module).ToArray();
        Assert.HasCount(6, layers);
        foreach (var layer in layers.Take(5))
        {
            Assert.AreEqual(4, layer.Count);
            Assert.AreEqual(0.3, ((LeakyReLU)layer[2]).NegativeSlope);
            Assert.AreEqual(0.25, ((Dropout)layer[3]).P);
        }
        Assert.AreEqual(3, layers[5].Count);
        Assert.IsInstanceOfType<BatchNorm2d>(layers[5][1]);
        Assert.IsInstanceOfType<Dropout>(layers[5][2]);
        Assert.ThrowsExactly<ArgumentException>(() => new PatchGanDiscriminator(1, [8, 1], [2]));
        Assert.ThrowsExactly<ArgumentException>(() => d.Forward(Torch.Rand([5, 3, 28, 28])));
    }
}
