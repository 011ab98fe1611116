using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// The optimized introspective step (shared decoder forwards, merged batches, per-player autograd.grad)
/// against the literal two-step implementation with requires_grad toggles, on tiny float64 models.
/// </summary>
[TestClass]
public sealed class SoftIntroStepEquivalenceTests
{
    private const int Batch = 16;

    private static SoftIntroOptions Tiny(string config)
    {
        var o = new SoftIntroOptions
        {
            SampleShape = [2],
            LatentDim = 2,
            MlpHiddenSizes = [8, 8],
            BetaRec = 0.7,
            BetaKl = 0.4,
            BetaNeg = 0.9,
            // A large γ_r so that the fakes' reconstruction terms visibly move the decoder.
            GammaR = 0.3,
            Scale = 0.5,
            WarmupIterations = 2,
            Iterations = 100,
            BatchSize = Batch,
            Components = 3,
            KlSamples = 5,
            LearningRate = 1e-3,
            PriorLearningRate = 1e-3,
            VampConversionLead = 1,
        };
        switch (config)
        {
            case "standard":
                break;
            case "standard-monte-carlo":
                o.AnalyticStandardKl = false;
                break;
            case "mixture":
                o.PriorKind = SoftIntroPriorKind.Mixture;
                o.LearnableWeights = true;
                o.ResponsibilityWeight = 2;
                break;
            case "mixture-fixed-after-warmup":
                o.PriorKind = SoftIntroPriorKind.Mixture;
                o.TrainPriorInIntrospection = false;
                break;
            case "mixture-samples-without-grad":
                o.PriorKind = SoftIntroPriorKind.Mixture;
                o.SampleFakesWithGrad = false;
                o.ClipPriorVariance = false;
                break;
            case "vamp-resampled-fakes":
                o.PriorKind = SoftIntroPriorKind.Vamp;
                o.LearnableWeights = true;
                o.ResampleFakesForDecoder = true;
                break;
            case "resnet":
                o.SampleShape = [1, 4, 4];
                o.Network = SoftIntroNetwork.ResNet;
                o.ResNetChannels = [2];
                o.Scale = null;
                break;
            default:
                throw new ArgumentException(config);
        }
        return o;
    }

    [TestMethod]
    [DataRow("standard")]
    [DataRow("standard-monte-carlo")]
    [DataRow("mixture")]
    [DataRow("mixture-fixed-after-warmup")]
    [DataRow("mixture-samples-without-grad")]
    [DataRow("vamp-resampled-fakes")]
    [DataRow("resnet")]
    public void SharedStepMatchesTheLiteralStep(string config)
    {
        long baseline = LiveTensors.Count;
        Run(config);
        Assert.AreEqual(baseline, LiveTensors.Count, "tensors leaked");
    }

    private static void Run(string config)
    {
        var options = Tiny(config);
        torch.manual_seed(1);
        using var shared = new SoftIntroVae(options);
        using var literal = new SoftIntroVae(options);
        shared.to(ScalarType.Float64);
        literal.to(ScalarType.Float64);
        using (var init = torch.NewDisposeScope())
        {
            long[] shape = [8, .. options.SampleShape];
            shared.InitializePrior(torch.randn(shape, dtype: ScalarType.Float64));
            literal.LoadStateDict(shared.StateDict());
        }
        var literalOptions = options.Clone();
        literalOptions.ShareForwards = false;
        using var sharedProgram = SoftIntroTraining.CreateProgram(shared, options);
        using var literalProgram = SoftIntroTraining.CreateProgram(literal, literalOptions);
        var start = Snapshot(shared);

        for (long step = 1; step <= 5; step++)
        {
            using var scope = torch.NewDisposeScope();
            torch.manual_seed(1000 + step);
            long[] shape = [Batch, .. options.SampleShape];
            var x = torch.randn(shape, dtype: ScalarType.Float64);
            torch.manual_seed(2000 + step);
            var a = sharedProgram.Step(x, step, () => throw new InvalidOperationException()).ToValues();
            torch.manual_seed(2000 + step);
            var b = literalProgram.Step(x, step, () => throw new InvalidOperationException()).ToValues();
            CollectionAssert.AreEquivalent(b.Keys.ToList(), a.Keys.ToList(), $"step {step}: term names");
            foreach (var (name, value) in b)
                Assert.AreEqual(value, a[name], 1e-9 * Math.Max(1, Math.Abs(value)), $"step {step}: term {name}");
            AssertSameParameters(shared, literal, 1e-6, $"{config}, step {step}");
        }

        // The comparison is not vacuous: every player moved well beyond the tolerance.
        var end = Snapshot(shared);
        foreach (var (name, before) in start)
        {
            if (config == "vamp-resampled-fakes" && name.StartsWith("vamp.", StringComparison.Ordinal)) continue;
            double moved = before.Zip(end[name], (p, q) => Math.Abs(p - q)).Max();
            Assert.IsTrue(moved > 1e-5, $"{name} did not move ({moved:G3})");
        }
    }

    private static Dictionary<string, double[]> Snapshot(SoftIntroVae model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.data<double>().ToArray());

    private static void AssertSameParameters(SoftIntroVae a, SoftIntroVae b, double tolerance, string where)
    {
        var other = b.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in a.named_parameters())
        {
            var x = p.data<double>().ToArray();
            var y = other[name].data<double>().ToArray();
            double diff = x.Zip(y, (u, v) => Math.Abs(u - v)).Max();
            Assert.IsTrue(diff <= tolerance, $"{where}: parameter {name} differs by {diff:G3}");
        }
    }
}
