using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Kernels;
using TorchSharp;
using static Microsoft.ML.Vae.Core.Tests.KernelsTestSupport;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// The counter-based standard-normal generator of <see cref="FusedOps.MonteCarloNoise"/>: its distribution
/// (moments, quantiles, independence of neighbours), its seeding from torch's generator, thread-count and
/// vector-width invariance and the mean squared norms it returns with the noise.
/// </summary>
[TestClass]
public sealed class KernelsMonteCarloNoiseTests
{
    [TestMethod]
    public void Samples_HaveStandardNormalMomentsAndQuantiles()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var (noise, _) = FusedOps.MonteCarloNoise(2, 100, 1000, 5);   // 1,000,000 values
        CollectionAssert.AreEqual(new long[] { 2, 100, 1000, 5 }, noise.shape);
        Assert.AreEqual(ScalarType.Float32, noise.dtype);
        var x = noise.reshape(-1).to_type(ScalarType.Float64);
        double n = x.size(0);
        // Standard errors for 1e6 samples: mean 1e-3, variance 1.4e-3, third moment 2.4e-3, fourth 1e-2.
        Assert.AreEqual(0.0, x.mean().ItemAsDouble(), 5e-3, "mean");
        Assert.AreEqual(1.0, x.square().mean().ItemAsDouble(), 7e-3, "variance");
        Assert.AreEqual(0.0, x.pow(3).mean().ItemAsDouble(), 1.2e-2, "third moment");
        Assert.AreEqual(3.0, x.pow(4).mean().ItemAsDouble(), 5e-2, "fourth moment");
        // Φ at a few points against the empirical CDF (standard error ≤ 5e-4).
        foreach (var (z, phi) in new[] { (-2.0, 0.0227501319), (-1.0, 0.1586552539), (0.0, 0.5), (0.5, 0.6914624613), (1.5, 0.9331927987), (3.0, 0.9986501020) })
        {
            double empirical = x.lt(z).to_type(ScalarType.Float64).sum().ItemAsDouble() / n;
            Assert.AreEqual(phi, empirical, 2.5e-3, $"P(X < {z})");
        }
        Assert.IsTrue(x.abs().max().ItemAsDouble() < 6.0, "a 24-bit uniform cannot give a radius beyond 5.9");
    }

    [TestMethod]
    public void NeighbouringValues_AreUncorrelated()
    {
        // The two values of a Box–Muller pair (16 apart within a group of 16 pairs), and values of
        // consecutive pairs, must be independent.
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        var x = FusedOps.MonteCarloNoise(1, 1, 400_000, 2).Noise.reshape(-1, 2, 16).to_type(ScalarType.Float64);
        double Correlation(Tensor a, Tensor b) =>
            ((a - a.mean()) * (b - b.mean())).mean().ItemAsDouble() / Math.Sqrt(a.var().ItemAsDouble() * b.var().ItemAsDouble());
        var first = x.select(1, 0).reshape(-1);
        var second = x.select(1, 1).reshape(-1);
        Assert.AreEqual(0.0, Correlation(first, second), 8e-3, "within a pair");
        Assert.AreEqual(0.0, Correlation(first.square(), second.square()), 8e-3, "squares within a pair");
        Assert.AreEqual(0.0, Correlation(first.narrow(0, 0, 399_999), first.narrow(0, 1, 399_999)), 8e-3, "consecutive pairs");
        var flat = x.reshape(-1);
        Assert.AreEqual(0.0, Correlation(flat.narrow(0, 0, 799_999), flat.narrow(0, 1, 799_999)), 8e-3, "consecutive values");
    }

    [TestMethod]
    public void Seed_ComesFromTorchsGenerator()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        var a = Floats(FusedOps.MonteCarloNoise(1, 10, 33, 3).Noise);
        var b = Floats(FusedOps.MonteCarloNoise(1, 10, 33, 3).Noise);
        torch.manual_seed(7);
        var again = Floats(FusedOps.MonteCarloNoise(1, 10, 33, 3).Noise);
        CollectionAssert.AreEqual(a, again, "the same torch seed gives the same noise");
        CollectionAssert.AreNotEqual(a, b, "consecutive draws differ");
    }

    [TestMethod]
    public void Results_DoNotDependOnTheThreadCount()
    {
        using var scope = torch.NewDisposeScope();
        AssertSameOnOneAndTwoThreads(() =>
        {
            torch.manual_seed(3);
            var (noise, norms) = FusedOps.MonteCarloNoise(6, 100, 257, 3);   // an odd total: the last pair is cut
            return [Floats(noise), Floats(norms)];
        });
    }

    [TestMethod]
    [DataRow(256)]
    [DataRow(128)]
    public void Results_DoNotDependOnTheVectorWidth(int bits)
    {
        using var scope = torch.NewDisposeScope();
        float[][] Run()
        {
            torch.manual_seed(6);
            var (noise, norms) = FusedOps.MonteCarloNoise(2, 7, 33, 5);   // 2,310 values: a partial last group
            return [Floats(noise), Floats(norms)];
        }
        var widest = WithVectorBits(512, Run);
        var other = WithVectorBits(bits, Run);
        for (int i = 0; i < 2; i++) CollectionAssert.AreEqual(widest[i], other[i], $"output {i} at {bits} bits");
    }

    [TestMethod]
    public void MeanSquaredNorms_MatchTheSamples()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        var (noise, norms) = FusedOps.MonteCarloNoise(3, 50, 21, 4);
        CollectionAssert.AreEqual(new long[] { 3, 21 }, norms.shape);
        var expected = noise.to_type(ScalarType.Float64).square().sum(3).mean(new long[] { 1 });
        AssertClose(expected, norms.to_type(ScalarType.Float64), 1e-5);
    }

    [TestMethod]
    public void BadSizes_AreRefused()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FusedOps.MonteCarloNoise(0, 10, 10, 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => FusedOps.MonteCarloNoise(1, 10, 10, -1));
    }
}
