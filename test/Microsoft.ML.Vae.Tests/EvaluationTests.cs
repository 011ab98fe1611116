using Microsoft.ML;
using Microsoft.ML.Vae.Core.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Tests;

[TestClass]
public sealed class EvaluationTests
{
    /// <summary>Pixel-space features: FID on raw pixels, enough to exercise the evaluator's plumbing.</summary>
    private sealed class PixelFeatures : IFeatureExtractor
    {
        public string Name => "test-pixels";
        public int Dimension => 784;
        public Tensor Extract(Tensor images) => images.flatten(1).to(ScalarType.Float32, torch.CPU);
        public void Dispose() { }
    }

    private static VaeEvaluationOptions FastOptions(long seed = 11) => new()
    {
        MaxRows = 400,
        Seed = seed,
        NllImportanceSamples = 10,
        NllMaxRows = 50,
        SymmetricKlSamples = 200,
        Leakage = new LeakageOptions { Samples = 200, Encodings = 400 },
        FidSamples = 400,
        FidFeatures = new PixelFeatures(),
        FlowFit = new FlowFitOptions { Samples = 300 },
    };

    [TestMethod]
    public void EvaluateReportsEveryCoreMetric()
    {
        var f = SharedFeaturizer.Value;
        var m = f.Context.Vae().Evaluate(f.Featurizer, f.Test, "Label", FastOptions());

        Assert.AreEqual("Features", m.Name);
        Assert.AreEqual("vae", m.Kind);
        Assert.AreEqual(400, m.Rows);
        Assert.AreEqual("test-pixels", m.FidFeatures);
        Assert.IsTrue(m.FidValue is > 0 and < double.PositiveInfinity, $"FID {m.FidValue}.");
        Assert.IsTrue(double.IsFinite(m.Nll!.Nll), $"NLL {m.Nll.Nll}.");
        Assert.AreEqual(50, m.Nll.Count);
        Assert.IsTrue(double.IsFinite(m.SymmetricKl!.Value));
        Assert.HasCount(LeakageOptions.DefaultThresholds.Count, m.Leakage!.Points);
        Assert.IsTrue(m.ReconstructionMse is > 0 and < 0.2, $"Reconstruction MSE {m.ReconstructionMse}.");
        // 16 latent dimensions of a briefly trained VAE separate the ten classes far above chance (0.1).
        Assert.IsGreaterThanOrEqualTo(0.4, m.LinearProbeAccuracy!.Value);
        Assert.HasCount(16, m.FlowFit!.MappedMean!);
        Assert.IsTrue(double.IsFinite(m.FlowFit.GaussianKl!.Value), m.FlowFit.Verdict);
        Assert.IsTrue(m.FlowFit.FarShare is >= 0 and <= 1);
    }

    [TestMethod]
    public void FlowFitHasItsOwnEntryPoint()
    {
        var f = SharedFeaturizer.Value;
        var options = FastOptions(seed: 6);
        var a = f.Context.Vae().EvaluateFlowFit(f.Vae, f.Test, "Pixels", options);
        var b = f.Context.Vae().Evaluate(f.Vae, f.Test, "Pixels", options: options).FlowFit!;
        Assert.AreEqual(a.FarShare, b.FarShare);
        Assert.AreEqual(a.GaussianKl, b.GaussianKl);
        Assert.AreEqual(300, a.Samples);
    }

    [TestMethod]
    public void TheSameSeedGivesTheSameMetrics()
    {
        var f = SharedFeaturizer.Value;
        var options = FastOptions(seed: 5);
        options.Metrics = VaeMetricKinds.Nll | VaeMetricKinds.SymmetricKl;
        var a = f.Context.Vae().Evaluate(f.Vae, f.Test, "Pixels", options: options);
        var b = f.Context.Vae().Evaluate(f.Vae, f.Test, "Pixels", options: options);
        Assert.AreEqual(a.Nll!.Nll, b.Nll!.Nll);
        Assert.AreEqual(a.SymmetricKl!.Value, b.SymmetricKl!.Value);
        Assert.IsNull(a.Fid);
        Assert.IsNull(a.ReconstructionMse);
    }

    [TestMethod]
    public void EvaluateAllGivesOneRowPerVaeOfAPipeline()
    {
        var f = SharedFeaturizer.Value;
        using var untrained = new Core.Models.DpVae(SharedFeaturizer.Options(latentDim: 8));
        var pipeline = f.Context.Vae().Featurize("Trained", "Pixels", f.Vae)
            .Append(f.Context.Vae().Featurize("Untrained", "Pixels", untrained))
            .Append(f.Context.Vae().Reconstruct("Reconstruction", "Pixels", f.Vae));
        var model = pipeline.Fit(f.Test);
        var options = FastOptions();
        options.Metrics = VaeMetricKinds.Reconstruction | VaeMetricKinds.LinearProbe;
        var rows = f.Context.Vae().EvaluateAll(model, f.Test, "Label", options);

        CollectionAssert.AreEqual(new[] { "Trained", "Untrained" }, rows.Select(r => r.Name).ToArray());
        Assert.IsLessThan(rows[1].ReconstructionMse!.Value, rows[0].ReconstructionMse!.Value,
            "The trained VAE must reconstruct better than an untrained one.");
    }

    [TestMethod]
    public void ALabelColumnOfTheWrongTypeIsNamed()
    {
        var f = SharedFeaturizer.Value;
        var options = FastOptions();
        options.Metrics = VaeMetricKinds.LinearProbe;
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Context.Vae().EvaluateLinearProbe(f.Vae, f.Test, "Pixels", "Pixels", options));
        StringAssert.Contains(ex.Message, "Label column 'Pixels'");
    }
}
