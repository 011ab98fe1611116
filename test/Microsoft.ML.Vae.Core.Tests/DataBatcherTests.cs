using Microsoft.ML.Vae.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class DataBatcherTests
{
    /// <summary>N samples whose two features are (i, −i) and whose label is i, so every batch reveals its indices.</summary>
    private static TensorDataset Indexed(int n)
    {
        var features = Enumerable.Range(0, n).SelectMany(i => new float[] { i, -i }).ToArray();
        return TensorDataset.FromArray(features, [2], Enumerable.Range(0, n).Select(i => (long)i).ToArray());
    }

    /// <summary>The label lists of the next <paramref name="count"/> batches (checking features agree with labels).</summary>
    private static List<long[]> Take(Batcher batcher, int count)
    {
        var result = new List<long[]>();
        for (int b = 0; b < count; b++)
        {
            using var scope = torch.NewDisposeScope();
            var (x, y) = batcher.Next();
            var labels = y!.data<long>().ToArray();
            var features = x.data<float>().ToArray();
            for (int i = 0; i < labels.Length; i++)
            {
                Assert.AreEqual(labels[i], features[2 * i]);
                Assert.AreEqual(-labels[i], features[2 * i + 1]);
            }
            result.Add(labels);
        }
        return result;
    }

    [TestMethod]
    public void EveryEpochVisitsEverySampleOnce()
    {
        long baseline = LiveTensors.Count;
        using (var data = Indexed(10))
        using (var batcher = new Batcher(data, batchSize: 3, seed: 4))
        {
            Assert.AreEqual(4, batcher.BatchesPerEpoch);
            var seen = new List<long[]>();
            for (int epoch = 0; epoch < 3; epoch++)
            {
                var labels = new List<long>();
                var sizes = new List<int>();
                foreach (var (x, y) in batcher.EnumerateEpoch())
                {
                    using (x) using (y)
                    {
                        sizes.Add((int)x.size(0));
                        labels.AddRange(y!.data<long>().ToArray());
                    }
                }
                Assert.AreEqual(epoch, batcher.Epoch);
                CollectionAssert.AreEqual(new[] { 3, 3, 3, 1 }, sizes);
                CollectionAssert.AreEquivalent(Enumerable.Range(0, 10).Select(i => (long)i).ToArray(), labels);
                seen.Add(labels.ToArray());
            }
            CollectionAssert.AreNotEqual(seen[0], seen[1], "each epoch has its own order");
        }
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void DropLastSkipsThePartialBatch()
    {
        using var data = Indexed(10);
        using var batcher = new Batcher(data, batchSize: 3, dropLast: true, seed: 1);
        Assert.AreEqual(3, batcher.BatchesPerEpoch);
        Assert.AreEqual(9, batcher.SamplesPerEpoch);
        var batches = Take(batcher, 6);
        Assert.IsTrue(batches.All(b => b.Length == 3));
        Assert.AreEqual(9, batches.Take(3).SelectMany(b => b).Distinct().Count());
        Assert.AreEqual(1, batcher.Epoch);
        var e = Assert.ThrowsExactly<ArgumentException>(() => new Batcher(data, batchSize: 11, dropLast: true));
        StringAssert.Contains(e.Message, "11");
    }

    [TestMethod]
    public void WithoutShufflingTheOrderIsTheIdentity()
    {
        using var data = Indexed(5);
        using var batcher = new Batcher(data, batchSize: 2, shuffle: false);
        var batches = Take(batcher, 6);
        CollectionAssert.AreEqual(new long[] { 0, 1, 2, 3, 4, 0, 1, 2, 3, 4 }, batches.SelectMany(b => b).ToArray());
    }

    [TestMethod]
    public void TheSeedDeterminesTheOrder()
    {
        using var data = Indexed(50);
        using var a = new Batcher(data, batchSize: 8, seed: 123);
        using var b = new Batcher(data, batchSize: 8, seed: 123);
        using var c = new Batcher(data, batchSize: 8, seed: 124);
        var fromA = Take(a, 20).SelectMany(x => x).ToArray();
        torch.manual_seed(999); // libtorch's generator plays no part
        var fromB = Take(b, 20).SelectMany(x => x).ToArray();
        CollectionAssert.AreEqual(fromA, fromB);
        CollectionAssert.AreNotEqual(fromA, Take(c, 20).SelectMany(x => x).ToArray());
        CollectionAssert.AreEqual(a.OrderOf(3), b.OrderOf(3));
    }

    [TestMethod]
    public void RestoringTheStateResumesExactly()
    {
        using var data = Indexed(23);
        using var original = new Batcher(data, batchSize: 5, seed: 77);
        Take(original, 7);
        var state = original.State;
        Assert.AreEqual(new BatcherState(1, 10), state);
        var continued = Take(original, 9);

        using var resumed = new Batcher(data, batchSize: 5, seed: 77);
        resumed.Restore(state);
        var replayed = Take(resumed, 9);
        for (int i = 0; i < continued.Count; i++) CollectionAssert.AreEqual(continued[i], replayed[i], $"batch {i} after the restore");

        // The end of an epoch is a valid state too.
        resumed.Restore(new BatcherState(2, 23));
        Assert.IsTrue(resumed.EpochFinished);
        Assert.IsFalse(resumed.TryNext(out _, out _));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => resumed.Restore(new BatcherState(0, 7)));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => resumed.Restore(new BatcherState(-1, 0)));
    }

    [TestMethod]
    public void BatchesMoveToCudaWhenAsked()
    {
        if (!torch.cuda.is_available()) Assert.Inconclusive("No CUDA device.");
        using var data = Indexed(9);
        using var batcher = new Batcher(data, new BatcherOptions { BatchSize = 4, Device = torch.CUDA });
        using var scope = torch.NewDisposeScope();
        var (x, y) = batcher.Next();
        Assert.IsTrue(x.is_cuda);
        Assert.IsTrue(y!.is_cuda);
        var labels = y.cpu().data<long>().ToArray();
        var features = x.cpu().data<float>().ToArray();
        for (int i = 0; i < labels.Length; i++) Assert.AreEqual(labels[i], features[2 * i]);
    }
}
