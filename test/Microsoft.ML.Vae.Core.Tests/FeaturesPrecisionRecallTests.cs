using Microsoft.ML.Vae.Core.Evaluation;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

[TestClass]
public sealed class FeaturesPrecisionRecallTests
{
    private long _baseline;

    [TestInitialize]
    public void RecordLiveTensors() => _baseline = Tensor.LiveCount;

    [TestCleanup]
    public void AssertNoLeaks() => Assert.AreEqual(_baseline, Tensor.LiveCount, "The test leaked tensors.");

    [TestMethod]
    public void IdenticalSetsHavePerfectPrecisionAndRecall()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(1);
        var features = Torch.Randn([800, 16]);
        var result = PrecisionRecall.Compute(features, features);
        Assert.AreEqual(1.0, result.Precision);
        Assert.AreEqual(1.0, result.Recall);
        Assert.AreEqual(5, result.K);
    }

    [TestMethod]
    public void AShiftedSetLosesPrecisionAndRecall()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(2);
        var real = Torch.Randn([800, 8]);
        var fresh = Torch.Randn([800, 8]);
        var shifted = Torch.Randn([800, 8]) + 2.0;
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
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(3);
        // Real data: two well-separated clusters; generated data covers only the first.
        var real = Tensor.Cat([Torch.Randn([400, 4]), Torch.Randn([400, 4]) + 10.0], 0);
        var collapsed = Torch.Randn([800, 4]);
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
        using var scope = Torch.NewDisposeScope();
        var radii = PrecisionRecall.KthNeighbourDistances(Tensor.From(points, n, d), k).ToArray<float>();
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
        using var scope = Torch.NewDisposeScope();
        Assert.ThrowsExactly<ArgumentException>(() => PrecisionRecall.Compute(Torch.Randn([5, 2]), Torch.Randn([50, 2])));
        Assert.ThrowsExactly<ArgumentException>(() => PrecisionRecall.Compute(Torch.Randn([50, 2]), Torch.Randn([50, 3])));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => PrecisionRecall.Compute(Torch.Randn([50, 2]), Torch.Randn([50, 2]), k: 0));
    }
}
