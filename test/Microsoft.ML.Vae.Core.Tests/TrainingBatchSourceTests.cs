using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>The batch-source adapters: shapes, saved positions, and mismatched states.</summary>
[TestClass]
public sealed class TrainingBatchSourceTests
{
    [TestMethod]
    public void DatasetSourceResumesTheSameBatchSequence()
    {
        long baseline = LiveTensors.Count;
        using (var dataset = TensorDataset.FromArray(Enumerable.Range(0, 30).Select(i => (float)i).ToArray(), [3]))
        {
            using var a = new DatasetBatchSource(dataset, batchSize: 4, seed: 11);
            Assert.AreEqual(2, a.BatchesPerEpoch);
            for (int i = 0; i < 5; i++) a.Next().Dispose();
            var state = a.SaveState();
            var expected = Enumerable.Range(0, 4).Select(_ => { using var t = a.Next(); return t.data<float>().ToArray(); }).ToList();

            using var b = new DatasetBatchSource(dataset, batchSize: 4, seed: 11);
            b.RestoreState(state);
            foreach (var e in expected)
            {
                using var t = b.Next();
                CollectionAssert.AreEqual(new long[] { 4, 3 }, t.shape);
                Assert.AreEqual(ScalarType.Float32, t.dtype);
                CollectionAssert.AreEqual(e, t.data<float>().ToArray());
            }
            Assert.AreEqual(4, b.Epoch);
        }
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void DatasetSourceRejectsAStateOfOtherData()
    {
        using var dataset = TensorDataset.FromArray(new float[20], [2]);
        using var a = new DatasetBatchSource(dataset, batchSize: 5, seed: 1);
        var state = a.SaveState();
        using var otherSeed = new DatasetBatchSource(dataset, batchSize: 5, seed: 2);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => otherSeed.RestoreState(state)).Message, "with seed 1");
        using var otherSize = new DatasetBatchSource(dataset, batchSize: 2, seed: 1);
        Assert.ThrowsExactly<InvalidDataException>(() => otherSize.RestoreState(state));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => a.RestoreState("{oops")).Message, "not valid");
    }

    [TestMethod]
    public void SamplerSourceDrawsFromTheGlobalGenerator()
    {
        var source = new SamplerBatchSource(ToyDatasets.Create("checkerboard"), 32);
        torch.manual_seed(3);
        float[] first;
        using (var t = source.Next())
        {
            CollectionAssert.AreEqual(new long[] { 32, 2 }, t.shape);
            first = t.data<float>().ToArray();
        }
        torch.manual_seed(3);
        using (var t = source.Next()) CollectionAssert.AreEqual(first, t.data<float>().ToArray());

        source.RestoreState(source.SaveState());
        var other = new SamplerBatchSource(ToyDatasets.Create("rings"), 32);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => other.RestoreState(source.SaveState())).Message, "'checkerboard'");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SamplerBatchSource(ToyDatasets.Create("rings"), 0));
    }
}
