using Microsoft.ML.Vae.Core.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class FrechetDistanceTests
{
    private long _baseline;

    [TestInitialize]
    public void RecordLiveTensors() => _baseline = LiveTensors.Count;

    [TestCleanup]
    public void AssertNoLeaks() => Assert.AreEqual(_baseline, LiveTensors.Count, "The test leaked tensors.");

    [TestMethod]
    public void EqualGaussiansAreAtDistanceZero()
    {
        var random = new Random(1);
        var mu = RandomVector(random, 6);
        var sigma = RandomSpd(random, 6);
        double d2 = FrechetDistance.Compute(mu, sigma, mu, sigma);
        Assert.IsLessThanOrEqualTo(1e-9, Math.Abs(d2));
    }

    [TestMethod]
    public void DiagonalCovariancesMatchTheClosedForm()
    {
        double[] mu1 = [0.5, -1, 2, 0], mu2 = [1, 1, -1, 0.25];
        double[] a = [1, 4, 0.25, 9], b = [2, 1, 0.5, 16];
        double expected = 0;
        for (int i = 0; i < a.Length; i++)
            expected += (mu1[i] - mu2[i]) * (mu1[i] - mu2[i]) + Math.Pow(Math.Sqrt(a[i]) - Math.Sqrt(b[i]), 2);
        double d2 = FrechetDistance.Compute(mu1, Diagonal(a), mu2, Diagonal(b));
        Assert.AreEqual(expected, d2, 1e-10 * expected);
    }

    [TestMethod]
    public void SingularCovarianceUsesTheClampedSquareRoot()
    {
        // Σ₁ has a zero eigenvalue: the closed form still holds with √0 = 0.
        double[] mu = [0, 0, 0];
        double[] a = [4, 0, 1], b = [1, 9, 1];
        double expected = Math.Pow(2 - 1, 2) + Math.Pow(0 - 3, 2) + 0;
        double d2 = FrechetDistance.Compute(mu, Diagonal(a), mu, Diagonal(b));
        Assert.AreEqual(expected, d2, 1e-9);
    }

    [TestMethod]
    public void TwoByTwoFullCovariancesMatchTheTraceIdentity()
    {
        // For a 2×2 M with non-negative eigenvalues, (Tr √M)² = Tr M + 2√det M; with M = Σ₁Σ₂.
        double[] mu1 = [1, 2], mu2 = [-0.5, 0.75];
        double[,] s1 = { { 2.0, 0.8 }, { 0.8, 1.0 } };
        double[,] s2 = { { 1.5, -0.6 }, { -0.6, 3.0 } };
        var m = Multiply(s1, s2);
        double traceM = m[0, 0] + m[1, 1];
        double detM = Determinant2(s1) * Determinant2(s2);
        double traceSqrt = Math.Sqrt(traceM + 2 * Math.Sqrt(detM));
        double expected = Square(mu1[0] - mu2[0]) + Square(mu1[1] - mu2[1]) + 2.0 + 1.0 + 1.5 + 3.0 - 2 * traceSqrt;
        double d2 = FrechetDistance.Compute(mu1, s1, mu2, s2);
        Assert.AreEqual(expected, d2, 1e-9 * expected);
    }

    [TestMethod]
    public void FullCovariancesMatchADenmanBeaversReference()
    {
        var random = new Random(7);
        const int k = 5;
        var mu1 = RandomVector(random, k);
        var mu2 = RandomVector(random, k);
        var s1 = RandomSpd(random, k);
        var s2 = RandomSpd(random, k);
        // Independent route: the matrix square root of the non-symmetric Σ₁Σ₂ by Denman–Beavers iteration.
        var root = DenmanBeaversSqrt(Multiply(s1, s2));
        double trace = 0;
        for (int i = 0; i < k; i++) trace += s1[i, i] + s2[i, i] - 2 * root[i, i];
        double expected = trace;
        for (int i = 0; i < k; i++) expected += Square(mu1[i] - mu2[i]);

        double d2 = FrechetDistance.Compute(mu1, s1, mu2, s2);
        Assert.AreEqual(expected, d2, 1e-6 * expected);
    }

    [TestMethod]
    public void TensorOverloadAgreesWithArrays()
    {
        var random = new Random(3);
        var mu1 = RandomVector(random, 4);
        var mu2 = RandomVector(random, 4);
        var s1 = RandomSpd(random, 4);
        var s2 = RandomSpd(random, 4);
        using var scope = torch.NewDisposeScope();
        double fromTensors = FrechetDistance.Compute(torch.tensor(mu1).@float(), ToTensor(s1).@float(), torch.tensor(mu2), ToTensor(s2));
        double fromArrays = FrechetDistance.Compute(mu1, s1, mu2, s2);
        Assert.AreEqual(fromArrays, fromTensors, 1e-5 * fromArrays); // float32 inputs on one side
    }

    [TestMethod]
    public void FeatureSetAgainstItselfIsZero()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        var features = torch.randn([500, 16]) * 3.0 + 7.0;
        Assert.IsLessThanOrEqualTo(1e-9, FrechetDistance.FromFeatures(features, features));
    }

    [TestMethod]
    public void FewerSamplesThanDimensionsStillGivesAFiniteDistance()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(12);
        var a = torch.randn([5, 20]);
        var b = torch.randn([6, 20]) + 1.0;
        double selfDistance = FrechetDistance.FromFeatures(a, a);
        double d2 = FrechetDistance.FromFeatures(a, b);
        Assert.IsLessThanOrEqualTo(1e-9, selfDistance);
        Assert.IsTrue(double.IsFinite(d2) && d2 > 10, $"d² = {d2}");
    }

    [TestMethod]
    public void StatisticsMatchNumpysCovarianceConvention()
    {
        var random = new Random(5);
        const int n = 40, k = 3;
        var data = new float[n * k];
        for (int i = 0; i < data.Length; i++) data[i] = (float)(random.NextDouble() * 10 + 1000);
        using var scope = torch.NewDisposeScope();
        using var stats = FrechetStatistics.FromFeatures(torch.tensor(data, new long[] { n, k }));
        var mean = stats.Mean.data<double>().ToArray();
        var cov = stats.Covariance.data<double>().ToArray();
        for (int a = 0; a < k; a++)
        {
            double ma = 0;
            for (int i = 0; i < n; i++) ma += data[i * k + a];
            ma /= n;
            Assert.AreEqual(ma, mean[a], 1e-9);
            for (int b = 0; b < k; b++)
            {
                double mb = 0;
                for (int i = 0; i < n; i++) mb += data[i * k + b];
                mb /= n;
                double c = 0;
                for (int i = 0; i < n; i++) c += (data[i * k + a] - ma) * (data[i * k + b] - mb);
                Assert.AreEqual(c / (n - 1), cov[a * k + b], 1e-9, $"covariance[{a},{b}]");
            }
        }
        Assert.AreEqual(n, stats.Count);
    }

    [TestMethod]
    public void StreamedBatchesGiveTheSameStatisticsAsOneBatch()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(13);
        var features = torch.randn([1000, 8]).@double() * 2.0 + 50.0;
        using var whole = FrechetStatistics.FromFeatures(features);
        using var accumulator = new FrechetStatisticsAccumulator();
        foreach (var part in features.split(137)) accumulator.Add(part);
        using var streamed = accumulator.ToStatistics();
        Assert.AreEqual(0, (whole.Mean - streamed.Mean).abs().max().ToDouble(), 1e-10);
        Assert.AreEqual(0, (whole.Covariance - streamed.Covariance).abs().max().ToDouble(), 1e-10);
        Assert.AreEqual(1000, streamed.Count);
    }

    [TestMethod]
    public void BadInputsAreRejected()
    {
        double[] mu2 = [0, 0], mu3 = [0, 0, 0];
        var i2 = Diagonal([1, 1]);
        var i3 = Diagonal([1, 1, 1]);
        Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(mu2, i2, mu3, i3));
        Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(mu2, i3, mu2, i2));
        Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute(mu2, new double[,] { { 1, 0 }, { 0, -1 } }, mu2, i2));
        Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.Compute([double.NaN, 0], i2, mu2, i2));
        using var scope = torch.NewDisposeScope();
        Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.FromFeatures(torch.zeros([1, 3]), torch.zeros([4, 3])));
        Assert.ThrowsExactly<ArgumentException>(() => FrechetDistance.FromFeatures(torch.zeros([4, 3]), torch.zeros([4, 2])));
    }

    // ---- helpers (plain managed linear algebra, independent of libtorch)

    private static double Square(double x) => x * x;

    private static double[] RandomVector(Random random, int k)
    {
        var v = new double[k];
        for (int i = 0; i < k; i++) v[i] = random.NextDouble() * 4 - 2;
        return v;
    }

    /// <summary>A·Aᵀ + 0.1·I with Gaussian-ish A: symmetric positive definite with spread eigenvalues.</summary>
    private static double[,] RandomSpd(Random random, int k)
    {
        var a = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) a[i, j] = random.NextDouble() * 2 - 1;
        var s = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                double sum = 0;
                for (int l = 0; l < k; l++) sum += a[i, l] * a[j, l];
                s[i, j] = sum + (i == j ? 0.1 : 0);
            }
        return s;
    }

    private static double[,] Diagonal(double[] d)
    {
        var m = new double[d.Length, d.Length];
        for (int i = 0; i < d.Length; i++) m[i, i] = d[i];
        return m;
    }

    private static double Determinant2(double[,] m) => m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0];

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        int n = a.GetLength(0);
        var c = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int l = 0; l < n; l++) sum += a[i, l] * b[l, j];
                c[i, j] = sum;
            }
        return c;
    }

    private static double[,] Inverse(double[,] m)
    {
        int n = m.GetLength(0);
        var a = (double[,])m.Clone();
        var inv = Diagonal(Enumerable.Repeat(1.0, n).ToArray());
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++) if (Math.Abs(a[r, col]) > Math.Abs(a[pivot, col])) pivot = r;
            for (int c = 0; c < n; c++)
            {
                (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
                (inv[col, c], inv[pivot, c]) = (inv[pivot, c], inv[col, c]);
            }
            double p = a[col, col];
            for (int c = 0; c < n; c++) { a[col, c] /= p; inv[col, c] /= p; }
            for (int r = 0; r < n; r++)
            {
                if (r == col) continue;
                double f = a[r, col];
                for (int c = 0; c < n; c++) { a[r, c] -= f * a[col, c]; inv[r, c] -= f * inv[col, c]; }
            }
        }
        return inv;
    }

    /// <summary>Principal square root by the Denman–Beavers iteration (Y → √A, Z → A^−½).</summary>
    private static double[,] DenmanBeaversSqrt(double[,] a)
    {
        int n = a.GetLength(0);
        var y = (double[,])a.Clone();
        var z = Diagonal(Enumerable.Repeat(1.0, n).ToArray());
        for (int iteration = 0; iteration < 100; iteration++)
        {
            var yInv = Inverse(y);
            var zInv = Inverse(z);
            double change = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++)
                {
                    double ny = 0.5 * (y[i, j] + zInv[i, j]);
                    change = Math.Max(change, Math.Abs(ny - y[i, j]));
                    y[i, j] = ny;
                    z[i, j] = 0.5 * (z[i, j] + yInv[i, j]);
                }
            if (change < 1e-15) break;
        }
        return y;
    }

    private static Tensor ToTensor(double[,] m)
    {
        int n = m.GetLength(0);
        var flat = new double[n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) flat[i * n + j] = m[i, j];
        return torch.tensor(flat, new long[] { n, n });
    }
}
