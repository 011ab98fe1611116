using Microsoft.ML.Vae.Core.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class PosteriorSamplingTests : MetricTestBase
{
    [TestMethod]
    public void LowPosteriorSamplesLieWhereTheAggregatePosteriorIsThin()
    {
        // Encodings cover the right half-plane only; low-posterior prior samples avoid it.
        using var data = RightHalfPlaneData(300, 31);
        var model = MetricTestModel.IdentityEncoder(2, 0.3);
        using var set = LowPosteriorSampler.Generate(model, data, count: 250, seed: 4);
        CollectionAssert.AreEqual(new long[] { 250, 2 }, set.Latents.shape);
        CollectionAssert.AreEqual(new long[] { 250, 2 }, set.Samples.shape);
        CollectionAssert.AreEqual(new long[] { 250 }, set.Scores.shape);
        // The identity decoder and unclamped ToData return the latents themselves.
        CollectionAssert.AreEqual(set.Latents.data<float>().ToArray(), set.Samples.data<float>().ToArray());

        using var scope = torch.NewDisposeScope();
        using var aggregate = AggregatePosterior.FromData(model, data);
        double lowScore = aggregate.LogDensity(set.Latents).mean().ToDouble();
        double priorScore = aggregate.LogDensity(model.Prior.Sample(2000)).mean().ToDouble();
        Assert.IsTrue(lowScore < priorScore - 2, $"low-posterior {lowScore} vs prior {priorScore}");
        double meanX = set.Latents.select(1, 0).mean().item<float>();
        Assert.IsTrue(meanX < -0.5, $"low-posterior samples sit left of the data: mean x {meanX}");
        // Three rounds of 100 kept (of 500), the last cut to 50; each round sorted ascending.
        var scores = set.Scores.data<double>().ToArray();
        foreach (var (start, length) in new[] { (0, 100), (100, 100), (200, 50) })
            for (int i = start + 1; i < start + length; i++) Assert.IsTrue(scores[i - 1] <= scores[i], $"score order at {i}");
        Assert.AreEqual(4, model.EncodeCalls, "three rounds of one batch each, plus the reference aggregate");
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ScoreMatchesDirectComputation(bool quirk)
    {
        double[,] z = { { 0, 0 }, { 1, 2 }, { -1.5, 0.5 } };
        double[,] mu = { { 0, 1 }, { 2, 0 } };
        double[,] logVar = { { -1, 0.5 }, { 0.3, 2 } };
        using var scope = torch.NewDisposeScope();
        var score = LowPosteriorSampler.Score(Matrix(z), Matrix(mu), Matrix(logVar), quirk).data<double>().ToArray();
        for (int i = 0; i < 3; i++)
        {
            double sum = 0;
            for (int n = 0; n < 2; n++)
            {
                double exponent = 0;
                for (int j = 0; j < 2; j++)
                {
                    double diff = z[i, j] - mu[n, j];
                    exponent += quirk
                        ? -diff * diff / logVar[n, j]
                        : -0.5 * (Math.Log(2 * Math.PI) + logVar[n, j] + diff * diff / Math.Exp(logVar[n, j]));
                }
                sum += Math.Exp(exponent);
            }
            Assert.AreEqual(Math.Log(sum / 2), score[i], 1e-6, $"row {i}");
        }
    }

    [TestMethod]
    public void HighPosteriorSamplesAreTheLeastPriorCoveredPosteriorSamples()
    {
        // The flow prior is centred at (1, 0): ranking happens on g(z) = z − (1, 0).
        var prior = new MetricTestAffinePrior([1, 0], [1, 1]);
        var model = MetricTestModel.IdentityEncoder(2, 0.3, prior);
        using var data = RightHalfPlaneData(300, 32);
        using var set = HighPosteriorSampler.Generate(model, data, count: 40, seed: 6);
        CollectionAssert.AreEqual(new long[] { 40, 2 }, set.Latents.shape);
        CollectionAssert.AreEqual(set.Latents.data<float>().ToArray(), set.Samples.data<float>().ToArray());

        using var scope = torch.NewDisposeScope();
        var scores = set.Scores.data<double>().ToArray();
        var expected = GenerationSpaceLogDensity(prior, set.Latents);
        for (int i = 0; i < scores.Length; i++)
        {
            Assert.AreEqual(expected[i], scores[i], 1e-5, $"score {i} is log N(g(z); 0, I)");
            if (i > 0) Assert.IsTrue(scores[i - 1] <= scores[i], "ascending");
        }
        // Keeping 40 of 400 leaves the lowest tenth: below the median of fresh posterior samples.
        using var aggregate = AggregatePosterior.FromData(model, data);
        var freshScores = GenerationSpaceLogDensity(prior, aggregate.Sample(400)).Order().ToArray();
        Assert.IsTrue(scores[^1] < freshScores[freshScores.Length / 2], $"highest kept {scores[^1]} vs median {freshScores[freshScores.Length / 2]}");
    }

    [TestMethod]
    public void SamplersRejectBadInput()
    {
        var model = MetricTestModel.IdentityEncoder(2, 0.3);
        using var data = torch.randn([10, 2]);
        using var wrong = torch.randn([10, 2, 1]);
        Assert.ThrowsExactly<ArgumentException>(() => LowPosteriorSampler.Generate(model, wrong, 10));
        Assert.ThrowsExactly<ArgumentException>(() => HighPosteriorSampler.Generate(model, wrong, 10));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LowPosteriorSampler.Generate(model, data, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LowPosteriorSampler.Generate(model, data, 10, new LowPosteriorOptions { KeepFraction = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => HighPosteriorSampler.Generate(model, data, 10, new HighPosteriorOptions { CandidateFactor = 0 }));
    }

    private static Tensor RightHalfPlaneData(long n, long seed)
    {
        torch.manual_seed(seed);
        using var scope = torch.NewDisposeScope();
        return (torch.randn([n, 2]) * 0.5 + torch.tensor([1.5f, 0f], 1, 2)).MoveToOuterDisposeScope();
    }

    private static double[] GenerationSpaceLogDensity(MetricTestAffinePrior prior, Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        var (z0, _) = prior.ToGenerationSpace(z.to(ScalarType.Float64));
        return ((z0.square().sum(1) + 2 * Math.Log(2 * Math.PI)) * -0.5).data<double>().ToArray();
    }

    private static Tensor Matrix(double[,] values)
    {
        var flat = new double[values.Length];
        Buffer.BlockCopy(values, 0, flat, 0, flat.Length * sizeof(double));
        return torch.tensor(flat, values.GetLength(0), values.GetLength(1));
    }
}
