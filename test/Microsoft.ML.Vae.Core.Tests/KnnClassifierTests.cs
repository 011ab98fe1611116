using Microsoft.ML.Vae.Core.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class KnnClassifierTests
{
    private long _baseline;

    [TestInitialize]
    public void RecordLiveTensors() => _baseline = LiveTensors.Count;

    [TestCleanup]
    public void AssertNoLeaks() => Assert.AreEqual(_baseline, LiveTensors.Count, "The test leaked tensors.");

    [TestMethod]
    public void MajorityOfTheNearestNeighboursWins()
    {
        using var scope = torch.NewDisposeScope();
        var reference = torch.tensor(new float[] { 0, 1, 2, 10, 11, 12 }, 6, 1);
        var labels = torch.tensor(new long[] { 0, 0, 0, 1, 1, 1 });
        using var knn = new KnnClassifier(reference, labels, k: 3);
        // 6.1 is nearest to 10 (3.9), 2 (4.1) and 11 (4.9): two votes for class 1.
        var predicted = knn.Predict(torch.tensor(new float[] { 0.5f, 11.5f, 6.1f, 5.9f }, 4, 1)).data<long>().ToArray();
        CollectionAssert.AreEqual(new long[] { 0, 1, 1, 0 }, predicted);
    }

    [TestMethod]
    public void TiesGoToTheSmallestClass()
    {
        using var scope = torch.NewDisposeScope();
        var reference = torch.tensor(new float[] { 0, 2 }, 2, 1);
        var labels = torch.tensor(new long[] { 2, 1 });
        using var knn = new KnnClassifier(reference, labels, k: 2);
        CollectionAssert.AreEqual(new long[] { 1, 1 }, knn.Predict(torch.tensor(new float[] { 0.1f, 1.9f }, 2, 1)).data<long>().ToArray());
    }

    [TestMethod]
    public void SeparatedClustersAreClassifiedCorrectly()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var (train, trainLabels) = Clusters(300);
        var (test, testLabels) = Clusters(100);
        Assert.AreEqual(1.0, KnnClassifier.TrainAndScore(train, trainLabels, test, testLabels, k: 5));
    }

    [TestMethod]
    public void ChunkedPredictionsMatchABruteForceVote()
    {
        var random = new Random(2);
        // 20 000 references make the classifier split 900 queries into two chunks.
        const int n = 20_000, m = 900, k = 7;
        var reference = new float[n * 2];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            reference[2 * i] = (float)random.NextDouble();
            reference[2 * i + 1] = (float)random.NextDouble();
            labels[i] = random.Next(3);
        }
        var queries = new float[m * 2];
        for (int i = 0; i < queries.Length; i++) queries[i] = (float)random.NextDouble();

        using var scope = torch.NewDisposeScope();
        using var knn = new KnnClassifier(torch.tensor(reference, n, 2), torch.tensor(labels), k);
        var predicted = knn.Predict(torch.tensor(queries, m, 2)).data<long>().ToArray();
        int disagreements = 0;
        for (int q = 0; q < m; q++)
        {
            // The k nearest by insertion into a sorted list of (distance, index).
            var best = new List<(double Distance, int Index)>(k + 1);
            for (int i = 0; i < n; i++)
            {
                double dx = queries[2 * q] - reference[2 * i], dy = queries[2 * q + 1] - reference[2 * i + 1];
                double dist = dx * dx + dy * dy;
                if (best.Count == k && dist >= best[^1].Distance) continue;
                int at = best.FindIndex(b => b.Distance > dist);
                best.Insert(at < 0 ? best.Count : at, (dist, i));
                if (best.Count > k) best.RemoveAt(k);
            }
            var votes = new int[3];
            foreach (var (_, index) in best) votes[labels[index]]++;
            long expected = Array.IndexOf(votes, votes.Max());
            // A float32 distance tie at the k-th place may pick another neighbour: allow a rare miss.
            if (expected != predicted[q]) disagreements++;
        }
        Assert.IsLessThanOrEqualTo(3, disagreements);
    }

    [TestMethod]
    public void BadArgumentsAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        var codes = torch.randn([10, 2]);
        var labels = torch.zeros([10], ScalarType.Int64);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new KnnClassifier(codes, labels, k: 11));
        Assert.ThrowsExactly<ArgumentException>(() => new KnnClassifier(codes, torch.zeros([9], ScalarType.Int64), k: 3));
        Assert.ThrowsExactly<ArgumentException>(() => new KnnClassifier(codes, torch.zeros([10]), k: 3));
        Assert.ThrowsExactly<ArgumentException>(() => new KnnClassifier(codes, torch.full([10], -1, ScalarType.Int64), k: 3));
        using var knn = new KnnClassifier(codes, labels, k: 3);
        Assert.ThrowsExactly<ArgumentException>(() => knn.Predict(torch.randn([4, 3])));
    }

    /// <summary>Three Gaussian clusters 10 apart in 2-D, <paramref name="perClass"/> points each.</summary>
    internal static (Tensor Codes, Tensor Labels) Clusters(int perClass)
    {
        using var scope = torch.NewDisposeScope();
        var centres = torch.tensor(new float[] { 0, 0, 10, 0, 0, 10 }, 3, 2);
        var labels = torch.arange(3).repeat(perClass);
        var codes = centres.index_select(0, labels) + torch.randn([3L * perClass, 2]);
        return (codes.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope());
    }
}
