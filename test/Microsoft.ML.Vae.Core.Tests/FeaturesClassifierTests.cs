using System.Diagnostics;
using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class FeaturesClassifierTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>
    /// Three classes of 8×8 images: horizontal stripes, vertical stripes, a centred square; each
    /// with noise and a random brightness, so the classes are learnable but not trivially identical.
    /// </summary>
    private static TensorDataset Patterns(int perClass, long seed)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(seed);
        var rows = torch.arange(8, ScalarType.Float32).view(8, 1).expand(8, 8);
        var cols = torch.arange(8, ScalarType.Float32).view(1, 8).expand(8, 8);
        var templates = new[]
        {
            rows.remainder(2.0),
            cols.remainder(2.0),
            (rows - 3.5).abs().le(2.0).logical_and((cols - 3.5).abs().le(2.0)).@float(),
        };
        var images = new List<Tensor>();
        var labels = new List<long>();
        for (int c = 0; c < templates.Length; c++)
        {
            var brightness = torch.rand([perClass, 1, 1, 1]) * 0.5 + 0.4;
            var noise = torch.rand([perClass, 1, 8, 8]) * 0.3;
            images.Add((templates[c].view(1, 1, 8, 8) * brightness + noise).clamp(0, 1));
            labels.AddRange(Enumerable.Repeat((long)c, perClass));
        }
        var x = FidInputs.Quantize(torch.cat(images, 0));
        return new TensorDataset(x, torch.tensor(labels.ToArray()));
    }

    private static ClassifierFeatureOptions TinyOptions(string cacheDirectory) =>
        new() { Epochs = 3, BatchSize = 32, CacheDirectory = cacheDirectory, ExtractionBatchSize = 64 };

    [TestMethod]
    public void TrainsCachesAndReloadsTheSameNetwork()
    {
        using var files = new DataTestFiles();
        using var train = Patterns(100, 1);
        using var test = Patterns(30, 2);
        long baseline = LiveTensors.Count;

        var first = ClassifierFeatureExtractor.GetOrTrain("Toy Patterns", train, test, TinyOptions(files.Root));
        using (first.Extractor)
        {
            Assert.IsFalse(first.FromCache);
            Assert.IsTrue(File.Exists(first.CachePath), first.CachePath);
            Assert.AreEqual("toy-patterns-classifier-v1", first.Extractor.Name);
            Assert.AreEqual(128, first.Extractor.Dimension);
            Assert.AreEqual(3, first.Extractor.ClassCount);
            Assert.IsGreaterThanOrEqualTo(0.95, first.TestAccuracy);

            var second = ClassifierFeatureExtractor.GetOrTrain("Toy Patterns", train, test, TinyOptions(files.Root));
            using (second.Extractor)
            {
                Assert.IsTrue(second.FromCache);
                Assert.AreEqual(first.CachePath, second.CachePath);
                Assert.AreEqual(first.TestAccuracy, second.TestAccuracy);
                using var scope = torch.NewDisposeScope();
                var a = first.Extractor.Extract(test.Features);
                var b = second.Extractor.Extract(test.Features);
                CollectionAssert.AreEqual(new long[] { test.Count, 128 }, a.shape);
                Assert.AreEqual(0.0, (a - b).abs().max().item<float>());
            }
        }
        Assert.AreEqual(baseline, LiveTensors.Count, "GetOrTrain leaked tensors.");
    }

    [TestMethod]
    public void TrainingIsDeterministic()
    {
        using var dirA = new DataTestFiles();
        using var dirB = new DataTestFiles();
        using var train = Patterns(60, 3);
        using var test = Patterns(10, 4);
        var a = ClassifierFeatureExtractor.GetOrTrain("toy", train, test, TinyOptions(dirA.Root));
        var b = ClassifierFeatureExtractor.GetOrTrain("toy", train, test, TinyOptions(dirB.Root));
        using (a.Extractor)
        using (b.Extractor)
        {
            Assert.IsFalse(a.FromCache || b.FromCache);
            CollectionAssert.AreEqual(File.ReadAllBytes(a.CachePath), File.ReadAllBytes(b.CachePath));
        }
    }

    [TestMethod]
    public void AnotherRecipeOrACorruptFileTrainsAgain()
    {
        using var files = new DataTestFiles();
        using var train = Patterns(40, 5);
        using var test = Patterns(10, 6);
        var options = TinyOptions(files.Root);
        var original = ClassifierFeatureExtractor.GetOrTrain("toy", train, test, options);
        original.Extractor.Dispose();

        options.Epochs = 1;
        var otherRecipe = ClassifierFeatureExtractor.GetOrTrain("toy", train, test, options);
        otherRecipe.Extractor.Dispose();
        Assert.IsFalse(otherRecipe.FromCache);
        Assert.AreNotEqual(original.CachePath, otherRecipe.CachePath);

        File.WriteAllBytes(otherRecipe.CachePath, [1, 2, 3, 4]);
        var retrained = ClassifierFeatureExtractor.GetOrTrain("toy", train, test, options);
        retrained.Extractor.Dispose();
        Assert.IsFalse(retrained.FromCache);
        Assert.IsGreaterThan(4L, new FileInfo(retrained.CachePath).Length);
    }

    [TestMethod]
    public void ImagesOfAnotherShapeAreRejected()
    {
        using var files = new DataTestFiles();
        using var train = Patterns(20, 7);
        using var test = Patterns(5, 8);
        var result = ClassifierFeatureExtractor.GetOrTrain("toy", train, test, TinyOptions(files.Root));
        using var extractor = result.Extractor;
        using var scope = torch.NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => extractor.Extract(torch.rand([2, 3, 8, 8])));
        StringAssert.Contains(e.Message, "1×8×8");
        Assert.ThrowsExactly<ArgumentException>(() => extractor.Extract(torch.rand([2, 1, 8, 8]) * 255.0));
        using var unlabelled = new TensorDataset(torch.rand([4, 1, 8, 8]));
        Assert.ThrowsExactly<ArgumentException>(() => ClassifierFeatureExtractor.GetOrTrain("toy", unlabelled, test, TinyOptions(files.Root)));
    }

    /// <summary>
    /// The shipped recipe on Fashion-MNIST: loads the cached network when present, else trains it
    /// (one-time; about two minutes on two cores) and caches it in the default cache directory.
    /// </summary>
    [TestMethod]
    public void FashionMnistClassifierReachesEightyEightPercent()
    {
        if (!FashionMnist.IsAvailable())
            Assert.Inconclusive($"Fashion-MNIST is not installed in {FashionMnist.Directory} (package dataset-fashion-mnist).");
        using var train = FashionMnist.LoadTrain();
        using var test = FashionMnist.LoadTest();
        var clock = Stopwatch.StartNew();
        var result = ClassifierFeatureExtractor.GetOrTrain("fashion-mnist", train, test,
            progress: new LineProgress(line => TestContext.WriteLine(line)));
        using var extractor = result.Extractor;
        TestContext.WriteLine($"{(result.FromCache ? "loaded" : "trained")} {result.CachePath} in {clock.Elapsed.TotalSeconds:F1} s; test accuracy {result.TestAccuracy:P2}");
        Assert.AreEqual("fashion-mnist-classifier-v1", extractor.Name);
        Assert.IsGreaterThanOrEqualTo(0.88, result.TestAccuracy);

        // The features tell two real halves apart far less than real from noisy images.
        using var scope = torch.NewDisposeScope();
        var first = test.Features.narrow(0, 0, 2000);
        var second = test.Features.narrow(0, 2000, 2000);
        torch.manual_seed(0);
        var noisy = (second + torch.randn(second.shape) * 0.2).clamp(0, 1);
        double realVsReal = FidCalculator.Compute(extractor, first, second).Fid;
        double realVsNoisy = FidCalculator.Compute(extractor, first, noisy).Fid;
        TestContext.WriteLine($"classifier FID: real vs real {realVsReal:F3}, real vs noisy {realVsNoisy:F3}");
        Assert.IsGreaterThan(5 * realVsReal, realVsNoisy);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class LineProgress(Action<string> write) : IProgress<string>
    {
        public void Report(string value) => write(value);
    }
}
