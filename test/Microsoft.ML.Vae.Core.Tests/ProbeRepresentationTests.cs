using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class ProbeRepresentationTests
{
    private long _baseline;

    [TestInitialize]
    public void RecordLiveTensors() => _baseline = LiveTensors.Count;

    [TestCleanup]
    public void AssertNoLeaks() => Assert.AreEqual(_baseline, LiveTensors.Count, "The test leaked tensors.");

    /// <summary>Two 5-D Gaussian blobs whose means are <paramref name="separation"/> apart along every axis.</summary>
    private static (Tensor Codes, Tensor Labels) Blobs(int perClass, double separation)
    {
        using var scope = torch.NewDisposeScope();
        var labels = torch.arange(2).repeat(perClass);
        var codes = torch.randn([2L * perClass, 5]) + labels.@float().unsqueeze(1) * separation;
        return (codes.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }

    [TestMethod]
    public void LinearProbeSeparatesDistantBlobs()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var (train, trainLabels) = Blobs(500, 4.0);
        var (test, testLabels) = Blobs(500, 4.0);
        double accuracy = LinearProbe.TrainAndScore(train, trainLabels, test, testLabels);
        Assert.IsGreaterThanOrEqualTo(0.99, accuracy);
    }

    [TestMethod]
    public void LinearProbeIsAtChanceOnIdenticalBlobs()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        var (train, trainLabels) = Blobs(500, 0.0);
        var (test, testLabels) = Blobs(1000, 0.0);
        double accuracy = LinearProbe.TrainAndScore(train, trainLabels, test, testLabels);
        Assert.IsInRange(0.44, 0.56, accuracy);
    }

    [TestMethod]
    public void LinearProbeIsDeterministicAndHandlesManyClasses()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var (train, trainLabels) = KnnClassifierTests.Clusters(200);
        var (test, testLabels) = KnnClassifierTests.Clusters(50);
        // Large offsets and scales: standardization makes them irrelevant.
        train = train * 1000.0 + 5e4;
        test = test * 1000.0 + 5e4;
        using var a = LinearProbe.Fit(train, trainLabels);
        using var b = LinearProbe.Fit(train, trainLabels);
        Assert.AreEqual(3, a.ClassCount);
        CollectionAssert.AreEqual(a.Predict(test).data<long>().ToArray(), b.Predict(test).data<long>().ToArray());
        Assert.IsGreaterThanOrEqualTo(0.99, a.Accuracy(test, testLabels));
    }

    [TestMethod]
    public void RepresentationMetricsScoreAnInformativeEncoder()
    {
        using var model = new FidTestModel([1, 4, 4]);
        using var train = Stripes(300, 1);
        using var test = Stripes(100, 2);
        var few = RepresentationMetrics.Compute(model, train, test, RepresentationRegime.Few,
            new RepresentationMetricsOptions { FewLabelledCount = 100 });
        Assert.AreEqual(100, few.LabelledCount);
        Assert.AreEqual(5, few.K);
        Assert.AreEqual(200, few.TestCount);
        Assert.IsGreaterThanOrEqualTo(0.95, few.LinearProbeAccuracy);
        Assert.IsGreaterThanOrEqualTo(0.95, few.KnnAccuracy);

        var many = RepresentationMetrics.Compute(model, train, test, RepresentationRegime.Many);
        Assert.AreEqual(600, many.LabelledCount);
        Assert.AreEqual(100, many.K);
        Assert.IsGreaterThanOrEqualTo(0.95, many.LinearProbeAccuracy);
        Assert.IsGreaterThanOrEqualTo(0.95, many.KnnAccuracy);
        Assert.IsFalse(model.TrainingCalls[^1], "Codes are computed in evaluation mode.");
    }

    [TestMethod]
    public void UninformativeCodesScoreAtChance()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        var trainCodes = torch.randn([1000, 4]);
        var trainLabels = torch.randint(0, 2, [1000]);
        var testCodes = torch.randn([1000, 4]);
        var testLabels = torch.randint(0, 2, [1000]);
        var result = RepresentationMetrics.ComputeFromCodes(trainCodes, trainLabels, testCodes, testLabels, RepresentationRegime.Many);
        Assert.IsInRange(0.44, 0.56, result.LinearProbeAccuracy);
        Assert.IsInRange(0.44, 0.56, result.KnnAccuracy);
    }

    [TestMethod]
    public void UnlabelledOrMismatchedDataIsRejected()
    {
        using var model = new FidTestModel([1, 4, 4]);
        using var labelled = Stripes(20, 5);
        using var scope = torch.NewDisposeScope();
        using var unlabelled = new TensorDataset(torch.rand([20, 1, 4, 4]));
        using var otherShape = new TensorDataset(torch.rand([20, 1, 5, 5]), torch.zeros([20], ScalarType.Int64));
        Assert.ThrowsExactly<ArgumentException>(() => RepresentationMetrics.Compute(model, unlabelled, labelled, RepresentationRegime.Few));
        var e = Assert.ThrowsExactly<ArgumentException>(() => RepresentationMetrics.Compute(model, labelled, otherShape, RepresentationRegime.Few));
        StringAssert.Contains(e.Message, "1×5×5");
    }

    /// <summary>4×4 images: class 0 horizontal stripes, class 1 vertical stripes, with noise.</summary>
    private static TensorDataset Stripes(int perClass, long seed)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(seed);
        var rows = torch.arange(4, ScalarType.Float32).view(1, 1, 4, 1).expand(1, 1, 4, 4).remainder(2.0);
        var cols = torch.arange(4, ScalarType.Float32).view(1, 1, 1, 4).expand(1, 1, 4, 4).remainder(2.0);
        var images = torch.cat([rows.expand(perClass, 1, 4, 4), cols.expand(perClass, 1, 4, 4)], 0) * 0.6
            + torch.rand([2L * perClass, 1, 4, 4]) * 0.4;
        var labels = torch.cat([torch.zeros([perClass], ScalarType.Int64), torch.ones([perClass], ScalarType.Int64)], 0);
        return new TensorDataset(images.contiguous(), labels);
    }
}
