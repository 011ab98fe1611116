using Microsoft.ML.Vae.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class DataToyDatasetTests
{
    private static float[] Draw(string name, long n, long seed)
    {
        torch.manual_seed(seed);
        var sampler = ToyDatasets.Create(name);
        using var points = sampler.Sample(n);
        CollectionAssert.AreEqual(new long[] { n, 2 }, points.shape);
        Assert.AreEqual(ScalarType.Float32, points.dtype);
        Assert.IsFalse(points.is_cuda);
        return points.data<float>().ToArray();
    }

    [TestMethod]
    [DataRow("8gaussians", 2.0)]
    [DataRow("2spirals", 4.0)]
    [DataRow("checkerboard", 4.0)]
    [DataRow("rings", 4.0)]
    [DataRow("moons", 4.0)]
    public void SamplersHaveShapeRangeAndSeededDeterminism(string name, double range)
    {
        long baseline = LiveTensors.Count;
        Assert.AreEqual(range, ToyDatasets.Create(name).PlotRange);
        Assert.AreEqual(name, ToyDatasets.Create(name.ToUpperInvariant()).Name);
        foreach (var n in new long[] { 1, 2, 3, 7, 1001 })
        {
            var a = Draw(name, n, 42);
            Assert.IsTrue(a.All(float.IsFinite));
            CollectionAssert.AreEqual(a, Draw(name, n, 42), "same seed, same points");
        }
        CollectionAssert.AreNotEqual(Draw(name, 100, 1), Draw(name, 100, 2), "another seed, other points");
        var many = Draw(name, 5000, 3);
        // Nearly all mass inside the plot range.
        Assert.IsTrue(many.Count(v => Math.Abs(v) < range) >= 0.999 * many.Length);
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void UnknownNameListsTheValidOnes()
    {
        var e = Assert.ThrowsExactly<ArgumentException>(() => ToyDatasets.Create("swissroll"));
        StringAssert.Contains(e.Message, "swissroll");
        foreach (var name in ToyDatasets.Names) StringAssert.Contains(e.Message, name);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ToyDatasets.Create("rings").Sample(0));
    }

    [TestMethod]
    public void EightGaussiansLieNearTheScaledCenters()
    {
        var p = Draw("8gaussians", 8000, 7);
        double s = 2 / 1.414, d = s / Math.Sqrt(2);
        (double X, double Y)[] centers = [(s, 0), (-s, 0), (0, s), (0, -s), (d, d), (d, -d), (-d, d), (-d, -d)];
        var hits = new int[8];
        for (int i = 0; i < p.Length; i += 2)
        {
            var dist = centers.Select(c => Math.Sqrt((p[i] - c.X) * (p[i] - c.X) + (p[i + 1] - c.Y) * (p[i + 1] - c.Y))).ToArray();
            double best = dist.Min();
            Assert.IsTrue(best < 0.1, $"point ({p[i]}, {p[i + 1]}) is {best} from the nearest center");
            hits[Array.IndexOf(dist, best)]++;
        }
        // Centers are chosen uniformly: each gets about 1000 of 8000 (±5 standard deviations).
        foreach (var h in hits) Assert.IsTrue(Math.Abs(h - 1000) < 150, $"center counts {string.Join(", ", hits)}");
    }

    [TestMethod]
    public void RingsLieOnTheirFourRadii()
    {
        var p = Draw("rings", 8000, 11);
        double[] radii = [3, 2.25, 1.5, 0.75];
        var hits = new int[4];
        double deviation = 0;
        for (int i = 0; i < p.Length; i += 2)
        {
            double r = Math.Sqrt(p[i] * p[i] + p[i + 1] * p[i + 1]);
            var gaps = radii.Select(R => Math.Abs(r - R)).ToArray();
            deviation += gaps.Min();
            hits[Array.IndexOf(gaps, gaps.Min())]++;
        }
        // Radial noise of std 0.08 gives a mean absolute gap of about 0.064.
        Assert.IsTrue(deviation / 8000 < 0.075, $"mean distance to the nearest ring {deviation / 8000}");
        // Each ring holds a quarter of the 8000 points (±5 standard deviations).
        foreach (var h in hits) Assert.IsTrue(Math.Abs(h - 2000) < 200, $"ring counts {string.Join(", ", hits)}");
    }

    [TestMethod]
    public void CheckerboardFollowsTheParityRule()
    {
        var p = Draw("checkerboard", 8000, 5);
        var cells = new HashSet<(int, int)>();
        for (int i = 0; i < p.Length; i += 2)
        {
            int cx = (int)Math.Floor(p[i] / 2), cy = (int)Math.Floor(p[i + 1] / 2);
            Assert.AreEqual(0, ((cx + cy) % 2 + 2) % 2, $"point ({p[i]}, {p[i + 1]}) is in an odd cell");
            Assert.IsTrue(p[i] >= -4 && p[i] < 4 && p[i + 1] >= -4 && p[i + 1] < 4);
            cells.Add((cx, cy));
        }
        Assert.AreEqual(8, cells.Count, "all eight even cells of the 4×4 board are used");
    }

    [TestMethod]
    public void SpiralsFollowTheReferenceFormula()
    {
        const long n = 1000;
        var points = Draw("2spirals", n, 9);
        // The reference generator written out with the same draws in the same order.
        torch.manual_seed(9);
        using var scope = torch.NewDisposeScope();
        var z = torch.randn(new long[] { n, 2 });
        var t = torch.rand(new long[] { n / 2 }).sqrt() * 540 * (2 * Math.PI) / 360;
        var d1x = -(t.cos() * t) + torch.rand(new long[] { n / 2 }) * 0.5;
        var d1y = t.sin() * t + torch.rand(new long[] { n / 2 }) * 0.5;
        var x = torch.cat(new[] { torch.stack([d1x, d1y], 1), torch.stack([-d1x, -d1y], 1) }) / 3;
        var expected = (x + 0.1 * z).data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], points[i], 1e-4f);
        double maxRadius = Enumerable.Range(0, (int)n).Max(i => Math.Sqrt(points[2 * i] * points[2 * i] + points[2 * i + 1] * points[2 * i + 1]));
        Assert.IsTrue(maxRadius is > 2.8 and < 4, $"the arms reach radius about π, got {maxRadius}");
    }

    [TestMethod]
    public void MoonsAreCenteredTwoArcs()
    {
        var p = Draw("moons", 4000, 13);
        double mx = 0, my = 0;
        for (int i = 0; i < p.Length; i += 2) { mx += p[i]; my += p[i + 1]; }
        Assert.AreEqual(0, mx / 2000, 0.05);
        Assert.AreEqual(0, my / 2000, 0.05);
        Assert.IsTrue(p.Where((_, i) => i % 2 == 0).Max() > 2.5 && p.Where((_, i) => i % 2 == 0).Min() < -2.5);
        using var noiseless = new MoonsSampler(noise: 0).Sample(5);
        // Without noise the upper arc (two points: t = 0, π) maps to (±1 − 0.5, −0.25)·2.
        var q = noiseless.data<float>().ToArray();
        var pairs = Enumerable.Range(0, 5).Select(i => (X: q[2 * i], Y: q[2 * i + 1])).ToArray();
        foreach (var (x, y) in new[] { (1f, -0.5f), (-3f, -0.5f) })
            Assert.IsTrue(pairs.Any(p => Math.Abs(p.X - x) < 1e-5 && Math.Abs(p.Y - y) < 1e-5), $"({x}, {y}) missing from {string.Join(" ", pairs)}");
    }
}
