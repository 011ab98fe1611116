using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Evaluation;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class Density2DMetricsTests
{
    /// <summary>A "distribution" that always returns the same points (cycled to the requested count).</summary>
    private sealed class FixedSampler(float[] points, double range) : IDataSampler
    {
        public string Name => "fixed";
        public double PlotRange => range;
        public int Draws { get; private set; }

        public Tensor Sample(long n)
        {
            Draws++;
            int count = points.Length / 2;
            var data = new float[n * 2];
            for (long i = 0; i < n; i++)
            {
                data[2 * i] = points[2 * (i % count)];
                data[2 * i + 1] = points[2 * (i % count) + 1];
            }
            return torch.tensor(data, n, 2);
        }
    }

    [TestMethod]
    public void HistogramFollowsNumpyDensitySemantics()
    {
        using var scope = torch.NewDisposeScope();
        // R = 1, 2 bins per axis with edges −1, 0, 1: 0 belongs to the upper bin, R to the last bin,
        // points outside the square are dropped from counts and normalization alike.
        var points = torch.tensor(new float[] { -0.5f, -0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 1f, 1f, 0f, 0f, 2f, 0f, -1f, 0.2f, 0.3f, -1.5f }, 8, 2);
        var counts = Density2DHistogram.Counts(points, 2, 1.0).data<double>().ToArray();
        CollectionAssert.AreEqual(new double[] { 1, 1, 0, 4 }, counts);
        var density = Density2DHistogram.Density(points, 2, 1.0).data<double>().ToArray();
        CollectionAssert.AreEqual(new[] { 1 / 6.0, 1 / 6.0, 0, 4 / 6.0 }, density);

        // A wider square: densities integrate to one over the bins (bin area (2R/bins)²).
        torch.manual_seed(3);
        var many = torch.randn([5000, 2]);
        var hist = Density2DHistogram.Density(many, 100, 4.0);
        Assert.AreEqual(1.0, hist.sum().ToDouble() * Math.Pow(8.0 / 100, 2), 1e-12);
        var edges = Density2DHistogram.Edges(100, 2.0);
        Assert.AreEqual(-2.0, edges[0]);
        Assert.AreEqual(2.0, edges[100]);
        Assert.AreEqual(1 * 0.04 - 2.0, edges[1]);
    }

    [TestMethod]
    public void IdenticalHistogramsGiveZeroKlAndJsd()
    {
        torch.manual_seed(4);
        using var scope = torch.NewDisposeScope();
        var hist = Density2DHistogram.Density(torch.randn([5000, 2]), 100, 4.0);
        // Only the 1e-14 guard inside the logarithm separates these from exactly zero.
        Assert.AreEqual(0, Density2DMetrics.HistogramKl(hist, hist), 1e-9);
        Assert.AreEqual(0, Density2DMetrics.HistogramJsd(hist, hist), 1e-9);
    }

    [TestMethod]
    public void KlAndJsdMatchAHandComputation()
    {
        using var scope = torch.NewDisposeScope();
        double[] p = [0.5, 0.25, 0, 0.25], q = [0.25, 0.25, 0.5, 0];
        var real = torch.tensor(p, 2, 2);
        var fake = torch.tensor(q, 2, 2);
        const double eps = 1e-14;
        double kl = 0, kl1 = 0, kl2 = 0;
        for (int i = 0; i < 4; i++)
        {
            if (p[i] > 0) kl += p[i] * (Math.Log(p[i]) - Math.Log(q[i] + eps));
            double m = 0.5 * (p[i] + q[i]);
            if (m > 0)
            {
                kl1 += m * (Math.Log(m) - Math.Log(p[i] + eps));
                kl2 += m * (Math.Log(m) - Math.Log(q[i] + eps));
            }
        }
        // "batchmean" divides by the first dimension (2 rows here, 100 in the benchmark).
        Assert.AreEqual(kl / 2, Density2DMetrics.HistogramKl(real, fake), 1e-12);
        Assert.AreEqual(0.5 * (kl1 / 2 + kl2 / 2), Density2DMetrics.HistogramJsd(real, fake), 1e-12);
        // The p > 0, q = 0 bin dominates through log(1e-14): KL(real ‖ fake) is large.
        Assert.IsTrue(Density2DMetrics.HistogramKl(real, fake) > 3);
        // Uniform reference: U = 1/(4·(2R/2)²) = 1/4 for R = 1.
        double uniform = 0;
        for (int i = 0; i < 4; i++) uniform += 0.25 * (Math.Log(0.25) - Math.Log(q[i] + eps));
        Assert.AreEqual(uniform / 2, Density2DMetrics.UniformKl(fake, 1.0), 1e-12);
    }

    [TestMethod]
    public void GridNormalizedElboMatchesAHandComputation()
    {
        // Posterior N(x, σ²I) and identity decoder: e(x) = KL_N(x, log σ²) = ½Σ(x² + σ² − log σ² − 1), SSE = 0.
        const double std = 0.5;
        using var model = MetricTestModel.IdentityEncoder(2, std, new StandardNormalPrior(2));
        var data = new FixedSampler([0.5f, -1f, 1.5f, 0.25f, -0.75f, 0f], 2.0);
        var options = new Density2DOptions { GridPoints = 5, DataBatches = 3, DataBatchSize = 4 };
        double got = Density2DMetrics.GridNormalizedElbo(model, data, 2.0, options);
        double E(double x, double y) => 0.5 * (x * x + y * y) + (std * std - Math.Log(std * std) - 1);
        double gridSum = 0;
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++) gridSum += E(-2 + i, -2 + j);
        float[] pts = [0.5f, -1f, 1.5f, 0.25f, -0.75f, 0f];
        double dataSum = 0;
        for (int b = 0; b < 3; b++)
            for (int i = 0; i < 4; i++) dataSum += E(pts[2 * (i % 3)], pts[2 * (i % 3) + 1]);
        Assert.AreEqual(dataSum / 12 / (gridSum + dataSum), got, 1e-9);
        Assert.AreEqual(3, data.Draws, "one draw per data batch");

        var parts = Density2DMetrics.GridNormalizedElboTerms(model, data, 2.0, options);
        // e(x) is computed in float32: the parts match to its precision, relative.
        Assert.AreEqual(dataSum / 12, parts.DataMean, 1e-6 * dataSum / 12, "numerator: mean over the data points");
        Assert.AreEqual(gridSum, parts.GridSum, 1e-6 * gridSum, "grid sum");
        Assert.AreEqual(12, parts.DataCount);
        Assert.AreEqual(got, parts.GnElbo, "the parts give the gnELBO, bit for bit");
        Assert.AreEqual(parts.GridSum / 25, parts.GridMean(5), 1e-12);

        var map = Density2DMetrics.DensityMap(model, 2.0, 5, options);
        CollectionAssert.AreEqual(new long[] { 5, 5 }, map.shape);
        var values = map.data<float>().ToArray();
        Assert.AreEqual(Math.Exp(-E(-2 + 1, -2 + 4)), values[1 * 5 + 4], 1e-6, "entry [i, j] is the point (x_i, y_j)");
        map.Dispose();
    }

    [TestMethod]
    public void GridLayoutIsIjIndexed()
    {
        using var scope = torch.NewDisposeScope();
        var grid = Density2DMetrics.Grid(1.0, 3).data<float>().ToArray();
        // point i·n + j = (x_i, y_j)
        CollectionAssert.AreEqual(new float[] { -1, -1, -1, 0, -1, 1, 0, -1, 0, 0, 0, 1, 1, -1, 1, 0, 1, 1 }, grid);
    }

    [TestMethod]
    public void MonteCarloKlOfTheGridElboMatchesTheClosedForm()
    {
        using var model = MetricTestModel.IdentityEncoder(2, 0.7, new StandardNormalPrior(2));
        var data = new FixedSampler([0.5f, -1f, 1.5f, 0.25f], 2.0);
        torch.manual_seed(9);
        var closed = Density2DMetrics.GridNormalizedElbo(model, data, 2.0, new Density2DOptions { GridPoints = 9, DataBatches = 2, DataBatchSize = 8 });
        var monteCarlo = Density2DMetrics.GridNormalizedElbo(model, data, 2.0,
            new Density2DOptions { GridPoints = 9, DataBatches = 2, DataBatchSize = 8, KlMode = Density2DKlMode.MonteCarlo, MonteCarloSamples = 20_000 });
        Assert.AreEqual(closed, monteCarlo, 0.03 * closed);
    }

    [TestMethod]
    public void RejectsModelsOfOtherShapesAndBadOptions()
    {
        using var model = MetricTestModel.IdentityEncoder(3, 0.5);
        var data = new FixedSampler([0f, 0f], 2.0);
        Assert.ThrowsExactly<ArgumentException>(() => Density2DMetrics.Compute(model, data));
        using var model2 = MetricTestModel.IdentityEncoder(2, 0.5);
        Assert.ThrowsExactly<ArgumentException>(() => Density2DMetrics.Compute(model2, data, new Density2DOptions { Bins = 0 }));
        Assert.ThrowsExactly<ArgumentException>(() => Density2DMetrics.Compute(model2, data, new Density2DOptions { KlMode = Density2DKlMode.ClosedForm }));
    }
}
