using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

[TestClass]
public sealed class DataTensorDatasetTests
{
    [TestMethod]
    public void FromArrayKeepsShapeAndLabels()
    {
        long baseline = Tensor.LiveCount;
        using (var data = TensorDataset.FromArray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [2, 2], [7, 8, 9]))
        {
            Assert.AreEqual(3, data.Count);
            CollectionAssert.AreEqual(new long[] { 2, 2 }, data.SampleShape);
            Assert.AreEqual(4, data.SampleSize);
            CollectionAssert.AreEqual(new long[] { 3, 2, 2 }, data.Features.Shape);
            CollectionAssert.AreEqual(new long[] { 7, 8, 9 }, data.Labels!.ToArray<long>());
        }
        Assert.AreEqual(baseline, Tensor.LiveCount);
    }

    [TestMethod]
    public void SubsetAndTakeSelectTheRightSamples()
    {
        long baseline = Tensor.LiveCount;
        using (var data = TensorDataset.FromArray([0, 10, 20, 30, 40], [1], [0, 1, 2, 3, 4]))
        {
            using var middle = data.Subset(1, 3);
            CollectionAssert.AreEqual(new float[] { 10, 20, 30 }, middle.Features.ToArray<float>());
            CollectionAssert.AreEqual(new long[] { 1, 2, 3 }, middle.Labels!.ToArray<long>());

            using var picked = data.Take([4, 0, 4]);
            CollectionAssert.AreEqual(new float[] { 40, 0, 40 }, picked.Features.ToArray<float>());
            CollectionAssert.AreEqual(new long[] { 4, 0, 4 }, picked.Labels!.ToArray<long>());

            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => data.Subset(3, 3));
            Assert.ThrowsExactly<IndexOutOfRangeException>(() => data.Take([5]));
        }
        Assert.AreEqual(baseline, Tensor.LiveCount);
    }

    [TestMethod]
    public void EmptyDataIsRejectedClearly()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => TensorDataset.FromArray([], [3]));
        StringAssert.Contains(e.Message, "The data set is empty");
        using var scope = Torch.NewDisposeScope();
        e = Assert.ThrowsExactly<ArgumentException>(() => new TensorDataset(Torch.Zeros([0, 2])));
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
        using var scope = Torch.NewDisposeScope();
        e = Assert.ThrowsExactly<ArgumentException>(() => new TensorDataset(Torch.Zeros([2, 2], DType.Float64)));
        StringAssert.Contains(e.Message, "float32");
        e = Assert.ThrowsExactly<ArgumentException>(() => new TensorDataset(Torch.Zeros([2, 2]), Torch.Zeros([2], DType.Int32)));
        StringAssert.Contains(e.Message, "int64");
        Assert.ThrowsExactly<ArgumentException>(() => TensorDataset.FromArray([1, 2, 3], [2]));
    }

    [TestMethod]
    public void ConstructionTakesTheTensorsOutOfTheCallersScope()
    {
        TensorDataset data;
        using (var scope = Torch.NewDisposeScope())
            data = new TensorDataset(Torch.Ones([4, 3]), Torch.Zeros([4], DType.Int64));
        using (data)
        {
            Assert.IsFalse(data.Features.IsDisposed);
            Assert.IsFalse(data.Labels!.IsDisposed);
            using var sum = data.Features.Sum();
            Assert.AreEqual(12.0, sum.Item());
        }
        Assert.IsTrue(data.Features.IsDisposed);
    }
}
