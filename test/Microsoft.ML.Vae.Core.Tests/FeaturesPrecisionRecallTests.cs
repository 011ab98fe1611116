using Microsoft.ML.Vae.Core.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class FeaturesPrecisionRecallTests
{
    private long _baseline;

    [TestInitialize]
    public void RecordLiveTensors() => _baseline = LiveTensors.Count;

    [TestCleanup]
    public void AssertNoLeaks() => Assert.AreEqual(_baseline, LiveTensors.Count, "The test leaked tensors.");

    [TestMethod]
    public void IdenticalSetsHavePerfectPrecisionAndRecall()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var features = torch.randn([800, 16]);
        var result = PrecisionRecall.Compute(features, features);
        Assert.AreEqual(1.0, result.Precision);
        Assert.AreEqual(1.0, result.Recall);
        Assert.AreEqual(5, result.K);
    }

    [TestMethod]
    public void AShiftedSetLosesPrecisionAndRecall()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        var real = torch.randn([800, 8]);
        var fresh = torch.randn([800, 8]);
        var shifted = torch.randn([800, 8]) + 2.0;
        var same = PrecisionRecall.Compute(real, fresh);
        var moved = PrecisionRecall.Compute(real, shifted);
        Assert.IsGreaterThan(0.6, same.Precision);
        Assert.IsGreaterThan(0.6, same.Recall);
        Assert.IsLessThan(0.2, moved.Precision, $"precision {moved.Precision}");
        Assert.IsLessThan(0.2, moved.Recall, $"recall {moved.Recall}");
    }

    [TestMethod]
    public void ModeCollapseKeepsPrecisionButLosesRecall()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        // Real data: two well-separated clusters; generated data covers only the first.
        var real = torch.cat([torch.randn([400, 4]), torch.randn([400, 4]) + 10.0], 0);
        var collapsed = torch.randn([800, 4]);
        var result = PrecisionRecall.Compute(real, collapsed);
        Assert.IsGreaterThan(0.7, result.Precision, $"precision {result.Precision}");
        Assert.IsLessThan(0.55, result.Recall, $"recall {result.Recall}");
    }

    [TestMethod]
    public void RadiiMatchABruteForceKthNeighbour()
    {
        var random = new Random(4);
        const int n = 60, d = 3, k = 5;
        var points = new float[n * d];
        for (int i = 0; i < points.Length; i++) points[i] = (float)(random.NextDouble() * 10);
        using var scope = torch.NewDisposeScope();
        var radii = PrecisionRecall.KthNeighbourDistances(torch.tensor(points, n, d), k).data<float>().ToArray();
        for (int i = 0; i < n; i++)
        {
            var distances = new List<double>();
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double s = 0;
                for (int c = 0; c < d; c++) s += Math.Pow(points[i * d + c] - points[j * d + c], 2);
                distances.Add(Math.Sqrt(s));
            }
            distances.Sort();
            Assert.AreEqual(distances[k - 1], radii[i], 1e-4, $"radius of point {i}");
        }
    }

    [TestMethod]
    public void TooFewPointsOrMismatchedWidthsAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        Assert.ThrowsExactly<ArgumentException>(() => PrecisionRecall.Compute(torch.randn([5, 2]), torch.randn([50, 2])));
        Assert.ThrowsExactly<ArgumentException>(() => PrecisionRecall.Compute(torch.randn([50, 2]), torch.randn([50, 3])));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PrecisionRecall.Compute(torch.randn([50, 2]), torch.randn([50, 2]), k: 0));
    }
}
