namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>
/// The counter-based standard-normal generator of <see cref="FusedOps.MonteCarloNoise"/>: its distribution
/// (moments, quantiles, independence of neighbours), its seeding from libtorch's generator, thread-count
/// invariance and the mean squared norms it returns with the noise.
/// </summary>
[TestClass]
public sealed class MonteCarloNoiseTests : TorchTestBase
{
    [TestMethod]
    public void Samples_HaveStandardNormalMomentsAndQuantiles()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(1);
        var (noise, _) = FusedOps.MonteCarloNoise(2, 100, 1000, 5);   // 1,000,000 values
        CollectionAssert.AreEqual(new long[] { 2, 100, 1000, 5 }, noise.Shape.ToArray());
        Assert.AreEqual(DType.Float32, noise.DType);
        var x = noise.Reshape(-1).To(DType.Float64);
        double n = x.Size(0);
        // Standard errors for 1e6 samples: mean 1e-3, variance 1.4e-3, third moment 2.4e-3, fourth 1e-2.
        Assert.AreEqual(0.0, x.Mean().Item(), 5e-3, "mean");
        Assert.AreEqual(1.0, x.Square().Mean().Item(), 7e-3, "variance");
        Assert.AreEqual(0.0, x.Pow(3).Mean().Item(), 1.2e-2, "third moment");
        Assert.AreEqual(3.0, x.Pow(4).Mean().Item(), 5e-2, "fourth moment");
        // Φ at a few points against the empirical CDF (standard error ≤ 5e-4).
        foreach (var (z, phi) in new[] { (-2.0, 0.0227501319), (-1.0, 0.1586552539), (0.0, 0.5), (0.5, 0.6914624613), (1.5, 0.9331927987), (3.0, 0.9986501020) })
        {
            double empirical = x.Lt(z).To(DType.Float64).Sum().Item() / n;
            Assert.AreEqual(phi, empirical, 2.5e-3, $"P(X < {z})");
        }
        Assert.IsTrue(x.Abs().Max().Item() < 6.0, "a 24-bit uniform cannot give a radius beyond 5.9");
    }

    [TestMethod]
    public void NeighbouringValues_AreUncorrelated()
    {
        // The two values of a Box–Muller pair, and values of consecutive pairs, must be independent.
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(2);
        var x = FusedOps.MonteCarloNoise(1, 1, 400_000, 2).Noise.Reshape(-1, 2).To(DType.Float64);
        double Correlation(Tensor a, Tensor b) => ((a - a.Mean()) * (b - b.Mean())).Mean().Item() / Math.Sqrt(a.Var().Item() * b.Var().Item());
        var first = x.Select(1, 0);
        var second = x.Select(1, 1);
        Assert.AreEqual(0.0, Correlation(first, second), 8e-3, "within a pair");
        Assert.AreEqual(0.0, Correlation(first.Square(), second.Square()), 8e-3, "squares within a pair");
        Assert.AreEqual(0.0, Correlation(first.Narrow(0, 0, 399_999), first.Narrow(0, 1, 399_999)), 8e-3, "consecutive pairs");
    }

    [TestMethod]
    public void Seed_ComesFromTorchsGenerator()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(7);
        var a = FusedOps.MonteCarloNoise(1, 10, 33, 3).Noise.ToArray<float>();
        var b = FusedOps.MonteCarloNoise(1, 10, 33, 3).Noise.ToArray<float>();
        Torch.ManualSeed(7);
        var again = FusedOps.MonteCarloNoise(1, 10, 33, 3).Noise.ToArray<float>();
        CollectionAssert.AreEqual(a, again, "the same torch seed gives the same noise");
        CollectionAssert.AreNotEqual(a, b, "consecutive draws differ");
    }

    [TestMethod]
    public void Results_DoNotDependOnTheThreadCount()
    {
        using var scope = Torch.NewDisposeScope();
        AssertSameOnOneAndTwoThreads(() =>
        {
            Torch.ManualSeed(3);
            var (noise, norms) = FusedOps.MonteCarloNoise(6, 100, 257, 3);   // an odd total: the last pair is cut
            return [noise.ToArray<float>(), norms.ToArray<float>()];
        });
    }

    [TestMethod]
    public void MeanSquaredNorms_MatchTheSamples()
    {
        using var scope = Torch.NewDisposeScope();
        Torch.ManualSeed(4);
        var (noise, norms) = FusedOps.MonteCarloNoise(3, 50, 21, 4);
        CollectionAssert.AreEqual(new long[] { 3, 21 }, norms.Shape.ToArray());
        var expected = noise.To(DType.Float64).Square().Sum(3).Mean(1);
        TensorAssert.Close(expected, norms.To(DType.Float64), 1e-5);
    }

    [TestMethod]
    public void BadSizes_AreRefused()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FusedOps.MonteCarloNoise(0, 10, 10, 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FusedOps.MonteCarloNoise(1, 10, 10, -1));
    }
}
