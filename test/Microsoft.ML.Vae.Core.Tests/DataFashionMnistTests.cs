using Microsoft.ML.Vae.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class DataFashionMnistTests
{
    private static void RequireInstalled()
    {
        if (!FashionMnist.IsAvailable())
            Assert.Inconclusive($"Fashion-MNIST is not installed in {FashionMnist.Directory} (package dataset-fashion-mnist).");
    }

    private static void AssertSplit(TensorDataset data, long count)
    {
        using var scope = torch.NewDisposeScope();
        Assert.AreEqual(count, data.Count);
        CollectionAssert.AreEqual(new long[] { 1, 28, 28 }, data.SampleShape);
        Assert.AreEqual(0.0, data.Features.min().item<float>());
        Assert.AreEqual(1.0, data.Features.max().item<float>());
        // Both splits are balanced: count / 10 images of each of the ten classes.
        var perClass = data.Labels!.bincount(null).data<long>().ToArray();
        Assert.AreEqual(10, perClass.Length);
        foreach (var k in perClass) Assert.AreEqual(count / 10, k);
    }

    [TestMethod]
    public void TrainAndTestSplitsLoadWithTheirKnownShapes()
    {
        RequireInstalled();
        long baseline = LiveTensors.Count;
        using (var train = FashionMnist.LoadTrain()) AssertSplit(train, FashionMnist.TrainCount);
        using (var test = FashionMnist.LoadTest()) AssertSplit(test, FashionMnist.TestCount);
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void LimitKeepsTheFirstSamples()
    {
        RequireInstalled();
        using var few = FashionMnist.LoadTest(limit: 100);
        using var all = FashionMnist.LoadTest();
        using var head = all.Subset(0, 100);
        Assert.AreEqual(100, few.Count);
        CollectionAssert.AreEqual(head.Labels!.data<long>().ToArray(), few.Labels!.data<long>().ToArray());
        CollectionAssert.AreEqual(head.Features.data<float>().ToArray(), few.Features.data<float>().ToArray());
    }

    [TestMethod]
    public void MissingFilesGiveAnInstallHint()
    {
        using var files = new DataTestFiles();
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => FashionMnist.LoadTrain(directory: files.Root));
        StringAssert.Contains(e.Message, files.Root);
        StringAssert.Contains(e.Message, "train-images-idx3-ubyte");
        StringAssert.Contains(e.Message, "dataset-fashion-mnist");
        StringAssert.Contains(e.Message, "eng/setup.sh");
        Assert.IsFalse(FashionMnist.IsAvailable(files.Root));
    }

    [TestMethod]
    public void EnvironmentVariableOverridesTheDirectory()
    {
        using var files = new DataTestFiles();
        // A miniature copy with uncompressed files, found through the variable.
        IdxWriter.WriteUnsignedBytes(files.PathOf("t10k-images-idx3-ubyte"), new byte[2 * 28 * 28], [2, 28, 28]);
        IdxWriter.WriteUnsignedBytes(files.PathOf("t10k-labels-idx1-ubyte"), [3, 5], [2]);
        var previous = Environment.GetEnvironmentVariable(FashionMnist.DirectoryVariable);
        try
        {
            Environment.SetEnvironmentVariable(FashionMnist.DirectoryVariable, files.Root);
            Assert.AreEqual(files.Root, FashionMnist.Directory);
            using var test = FashionMnist.LoadTest();
            Assert.AreEqual(2, test.Count);
            CollectionAssert.AreEqual(new long[] { 3, 5 }, test.Labels!.data<long>().ToArray());
        }
        finally
        {
            Environment.SetEnvironmentVariable(FashionMnist.DirectoryVariable, previous);
        }
    }
}
