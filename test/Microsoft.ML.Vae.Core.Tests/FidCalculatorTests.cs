using Microsoft.ML.Vae.Core.Evaluation;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class FidCalculatorTests
{
    private long _baseline;

    [TestInitialize]
    public void RecordLiveTensors() => _baseline = LiveTensors.Count;

    [TestCleanup]
    public void AssertNoLeaks() => Assert.AreEqual(_baseline, LiveTensors.Count, "The test leaked tensors.");

    /// <summary>Images [n, 1, 8, 8]: quantized noise around a per-set brightness.</summary>
    private static Tensor Images(long n, double brightness, long seed)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(seed);
        var x = (torch.rand([n, 1, 8, 8]) * 0.5 + brightness).clamp(0, 1);
        return FidInputs.Quantize(x).MoveToOuterDisposeScope();
    }

    [TestMethod]
    public void ASetAgainstItselfHasZeroFid()
    {
        using var fx = new PooledPixelExtractor();
        using var real = Images(400, 0.2, 1);
        var result = FidCalculator.Compute(fx, real, real);
        Assert.IsLessThanOrEqualTo(1e-9, result.Fid);
        Assert.AreEqual("pooled-pixels", result.Features);
        Assert.AreEqual(400, result.RealCount);
        Assert.AreEqual(400, result.GeneratedCount);
    }

    [TestMethod]
    public void ShiftedImagesScoreWorseThanAFreshDrawOfTheSameDistribution()
    {
        using var fx = new PooledPixelExtractor();
        using var real = Images(400, 0.2, 1);
        using var same = Images(400, 0.2, 2);
        using var shifted = Images(400, 0.45, 3);
        double near = FidCalculator.Compute(fx, real, same).Fid;
        double far = FidCalculator.Compute(fx, real, shifted).Fid;
        Assert.IsGreaterThan(20 * near, far, $"FID same = {near}, shifted = {far}");
    }

    [TestMethod]
    public void QuantizationRemovesSubLevelDifferences()
    {
        using var fx = new PooledPixelExtractor();
        using var real = Images(300, 0.2, 4);
        using var scope = torch.NewDisposeScope();
        // Below half a gray level: the same 8-bit images after truncation.
        var jittered = real + torch.rand(real.shape) * (0.4 / 255);
        double quantized = FidCalculator.Compute(fx, real, jittered).Fid;
        double raw = FidCalculator.Compute(fx, real, jittered, new FidOptions { Quantize = false }).Fid;
        Assert.IsLessThanOrEqualTo(1e-9, quantized);
        Assert.IsGreaterThan(1e-9, raw);
    }

    [TestMethod]
    public void QuantizeTruncatesToEightBitLevels()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { -0.5f, 0f, 0.5f / 255, 1.99f / 255, 0.5f, 1f, 1.5f });
        var q = FidInputs.Quantize(x).data<float>().ToArray();
        float[] expected = [0, 0, 0, 1f / 255, 127f / 255, 1, 1];
        for (int i = 0; i < q.Length; i++) Assert.AreEqual(expected[i], q[i], 1e-7f, $"element {i}");
        // Real 8-bit images (k/255) are fixed points.
        var levels = torch.arange(256, ScalarType.Float32) / 255.0;
        Assert.AreEqual(0.0, (FidInputs.Quantize(levels) - levels).abs().max().item<float>());
        Assert.ThrowsExactly<ArgumentException>(() => FidInputs.Quantize(torch.tensor(new float[] { float.NaN })));
    }

    [TestMethod]
    public void MismatchedImageSizesAreRejectedWithBothShapes()
    {
        using var fx = new PooledPixelExtractor();
        using var scope = torch.NewDisposeScope();
        var real = torch.rand([4, 1, 28, 28]);
        var generated = torch.rand([4, 3, 32, 32]);
        var e = Assert.ThrowsExactly<ArgumentException>(() => FidCalculator.Compute(fx, real, generated));
        StringAssert.Contains(e.Message, "real images are 1×28×28 but generated are 3×32×32");
    }

    [TestMethod]
    public void EmptyOrSingletonSetsAreRejected()
    {
        using var fx = new PooledPixelExtractor();
        using var scope = torch.NewDisposeScope();
        var real = torch.rand([4, 1, 8, 8]);
        var e = Assert.ThrowsExactly<ArgumentException>(() => FidCalculator.Compute(fx, real, torch.zeros([0, 1, 8, 8])));
        StringAssert.Contains(e.Message, "empty");
        Assert.ThrowsExactly<ArgumentException>(() => FidCalculator.Compute(fx, torch.rand([1, 1, 8, 8]), real));
        Assert.ThrowsExactly<ArgumentException>(() => FidCalculator.Compute(fx, torch.rand([4, 64]), real));
    }

    [TestMethod]
    public void PrecomputedRealStatisticsGiveTheSameFid()
    {
        using var fx = new PooledPixelExtractor();
        using var real = Images(300, 0.2, 5);
        using var generated = Images(300, 0.3, 6);
        double direct = FidCalculator.Compute(fx, real, generated).Fid;
        using var statistics = FidCalculator.ComputeStatistics(fx, real, new FidOptions { BatchSize = 64 });
        var viaStatistics = FidCalculator.Compute(fx, statistics, generated);
        Assert.AreEqual(direct, viaStatistics.Fid, 1e-9 * direct);
        Assert.AreEqual(300, viaStatistics.RealCount);
        using var scope = torch.NewDisposeScope();
        Assert.ThrowsExactly<ArgumentException>(() => FidCalculator.Compute(fx, statistics, torch.rand([5, 1, 16, 16])));
    }

    [TestMethod]
    public void PerfectReconstructionsHaveZeroFid()
    {
        using var fx = new PooledPixelExtractor();
        using var model = new FidTestModel([1, 8, 8]);
        using var images = Images(300, 0.2, 7);
        var result = FidCalculator.ComputeForReconstructions(fx, model, images, new FidOptions { BatchSize = 128 });
        Assert.IsLessThanOrEqualTo(1e-9, result.Fid);
        Assert.AreEqual(300, result.GeneratedCount);
        Assert.IsFalse(model.TrainingCalls[^1], "The model must be left in evaluation mode.");
    }

    [TestMethod]
    public void PriorSamplesCloserToTheDataScoreBetter()
    {
        using var fx = new PooledPixelExtractor();
        using var images = Images(400, 0.2, 8);
        // Real pixels are uniform on [0.2, 0.7]: mean 0.45, std ≈ 0.144.
        using var matching = new FidTestModel([1, 8, 8], priorMean: 0.45, priorStd: 0.144);
        using var offset = new FidTestModel([1, 8, 8], priorMean: 0.8, priorStd: 0.144);
        var options = new FidOptions { Seed = 3, BatchSize = 100 };
        var good = FidCalculator.ComputeForPriorSamples(fx, matching, images, 400, options);
        var bad = FidCalculator.ComputeForPriorSamples(fx, offset, images, 400, options);
        Assert.AreEqual(400, good.GeneratedCount);
        Assert.IsGreaterThan(10 * good.Fid, bad.Fid, $"matching {good.Fid}, offset {bad.Fid}");
        // Seeded: the same measurement twice.
        Assert.AreEqual(good.Fid, FidCalculator.ComputeForPriorSamples(fx, matching, images, 400, options).Fid);
        Assert.IsTrue(matching.TrainingCalls.Count > 0 && matching.TrainingCalls.All(t => !t), "Generation runs in evaluation mode by default.");
    }

    [TestMethod]
    public void ModelWithAnotherImageShapeIsRejected()
    {
        using var fx = new PooledPixelExtractor();
        using var model = new FidTestModel([3, 8, 8]);
        using var images = Images(10, 0.2, 9);
        var e = Assert.ThrowsExactly<ArgumentException>(() => FidCalculator.ComputeForPriorSamples(fx, model, images, 10));
        StringAssert.Contains(e.Message, "real images are 1×8×8 but generated are 3×8×8");
    }

    /// <summary>Features = 2×2 average-pooled pixels of each channel (cheap, deterministic, shape-agnostic).</summary>
    private sealed class PooledPixelExtractor : IFeatureExtractor
    {
        public string Name => "pooled-pixels";
        public int Dimension => 4;

        public Tensor Extract(Tensor images)
        {
            FeatureExtraction.ValidateImages(images);
            return FeatureExtraction.InBatches(images, 100,
                b => F.adaptive_avg_pool2d(b.mean([1], keepdim: true), [2, 2]).flatten(1));
        }

        public void Dispose() { }
    }
}
