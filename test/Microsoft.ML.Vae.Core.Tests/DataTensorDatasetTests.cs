using Microsoft.ML.Vae.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class DataTensorDatasetTests
{
    [TestMethod]
    public void FromArrayKeepsShapeAndLabels()
    {
        long baseline = LiveTensors.Count;
        using (var data = TensorDataset.FromArray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [2, 2], [7, 8, 9]))
        {
            Assert.AreEqual(3, data.Count);
            CollectionAssert.AreEqual(new long[] { 2, 2 }, data.SampleShape);
            Assert.AreEqual(4, data.SampleSize);
            CollectionAssert.AreEqual(new long[] { 3, 2, 2 }, data.Features.shape);
            CollectionAssert.AreEqual(new long[] { 7, 8, 9 }, data.Labels!.data<long>().ToArray());
        }
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void SubsetAndTakeSelectTheRightSamples()
    {
        long baseline = LiveTensors.Count;
        using (var data = TensorDataset.FromArray([0, 10, 20, 30, 40], [1], [0, 1, 2, 3, 4]))
        {
            using var middle = data.Subset(1, 3);
            CollectionAssert.AreEqual(new float[] { 10, 20, 30 }, middle.Features.data<float>().ToArray());
            CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, middle.Labels!.data<long>().ToArray());

            using var picked = data.Take([4, 0, 4]);
            CollectionAssert.AreEqual(new float[] { 40, 0, 40 }, picked.Features.data<float>().ToArray());
            CollectionAssert.AreEqual(new long[] { 4, 0, 4 }, picked.Labels!.data<long>().ToArray());

            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => data.Subset(3, 3));
            Assert.ThrowsExactly<IndexOutOfRangeException>(() => data.Take([5]));
        }
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void EmptyDataIsRejectedClearly()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => TensorDataset.FromArray([], [3]));
        StringAssert.Contains(e.Message, "The data set is empty");
        using var scope = torch.NewDisposeScope();
        e = Assert.ThrowsExactly<ArgumentException>(() => new TensorDataset(torch.zeros(0, 2)));
        StringAssert.Contains(e.Message, "The data set is empty");
    }

    [TestMethod]
    [DataRow(float.NaN)]
    [DataRow(float.PositiveInfinity)]
    [DataRow(float.NegativeInfinity)]
    public void NonFiniteFeaturesNameTheFirstBadSample(float bad)
    {
        float[] values = [0, 1, 2, 3, 4, 5, bad, 7, 8, bad];
        var e = Assert.ThrowsExactly<ArgumentException>(() => TensorDataset.FromArray(values, [2]));
        StringAssert.Contains(e.Message, "Sample 3 ");
        StringAssert.Contains(e.Message, "NaN or infinity");
    }

    [TestMethod]
    public void MismatchedOrMistypedTensorsAreRejected()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => TensorDataset.FromArray([1, 2, 3], [1], [0, 1]));
        StringAssert.Contains(e.Message, "[3]");
        using var scope = torch.NewDisposeScope();
        e = Assert.ThrowsExactly<ArgumentException>(() => new TensorDataset(torch.zeros(2, 2, ScalarType.Float64)));
        StringAssert.Contains(e.Message, "float32");
        e = Assert.ThrowsExactly<ArgumentException>(() => new TensorDataset(torch.zeros(2, 2), torch.zeros(2, ScalarType.Int32)));
        StringAssert.Contains(e.Message, "int64");
        Assert.ThrowsExactly<ArgumentException>(() => TensorDataset.FromArray([1, 2, 3], [2]));
    }

    [TestMethod]
    public void ConstructionTakesTheTensorsOutOfTheCallersScope()
    {
        TensorDataset data;
        using (var scope = torch.NewDisposeScope())
            data = new TensorDataset(torch.ones(4, 3), torch.zeros(4, ScalarType.Int64));
        using (data)
        {
            Assert.IsFalse(data.Features.IsInvalid);
            Assert.IsFalse(data.Labels!.IsInvalid);
            using var sum = data.Features.sum();
            Assert.AreEqual(12.0, sum.item<float>());
        }
        Assert.IsTrue(data.Features.IsInvalid);
    }
}
