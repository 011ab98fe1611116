using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class GamixModelTests
{
    /// <summary>A tiny 16×16×3 model (two stages, 4 filters).</summary>
    internal static GamixOptions Tiny(bool baseline = false, bool patchGan = true)
    {
        var o = new GamixOptions
        {
            SampleShape = [3, 16, 16], LatentDim = 8, Filters = 4, Stages = 2,
            PatchGanFilters = [4, 4, 1], PatchGanStrides = [2, 1, 1],
            LearningRate = 1e-3, DiscriminatorLearningRate = 1e-3, BatchSize = 4,
        };
        o.PatchGan = patchGan;
        return baseline ? GamixPresets.AsBaseline(o) : o;
    }

    [TestMethod]
    public void ModelMapsDataInTheUnitRangeToTheMinusOneToOneScale()
    {
        long baseline = LiveTensors.Count;
        torch.manual_seed(1);
        using (var model = new GamixVae(Tiny()))
        using (torch.NewDisposeScope())
        {
            Assert.AreEqual("gamix", model.Kind);
            Assert.IsInstanceOfType<StandardNormalPrior>(model.Prior);
            var x = torch.rand(4, 3, 16, 16);
            var output = model.Forward(x);
            CollectionAssert.AreEqual((x * 2.0 - 1.0).data<float>().ToArray(), output.Target.data<float>().ToArray());
            CollectionAssert.AreEqual(new long[] { 4, 8 }, output.Z.shape);
            CollectionAssert.AreEqual(new long[] { 4, 3, 16, 16 }, output.Reconstruction.shape);
            using (torch.no_grad())
            {
                model.SetTraining(false);
                var z = torch.randn(3, 8);
                var raw = model.DecodeToModelScale(z);
                var decoded = model.Decode(z);
                Assert.AreEqual(0, (decoded - (raw + 1.0) * 0.5).abs().max().ItemAsDouble(), 1e-6);
                var shown = model.Observation.ToData(decoded * 10.0 - 5.0);
                Assert.IsGreaterThanOrEqualTo(0.0, shown.min().ItemAsDouble());
                Assert.IsLessThanOrEqualTo(1.0, shown.max().ItemAsDouble());
                CollectionAssert.AreEqual(new long[] { 2, 3, 16, 16 }, model.Sample(2).shape);
            }
            var terms = model.Loss(x);
            CollectionAssert.AreEqual(new[] { "reconstruction", "mixture_kl", "variance" }, terms.Terms.Select(t => t.Name).ToArray());
        }
        Assert.AreEqual(baseline, LiveTensors.Count, "tensors leaked");
    }

    [TestMethod]
    public void BadInputsGetClearErrors()
    {
        using var model = new GamixVae(Tiny());
        using var scope = torch.NewDisposeScope();
        var ex = Assert.ThrowsExactly<ArgumentException>(() => model.Encode(torch.rand(2, 1, 16, 16)));
        StringAssert.Contains(ex.Message, "[N, 3, 16, 16]");
        Assert.ThrowsExactly<ArgumentException>(() => model.Encode(torch.rand(3, 16, 16)));
        Assert.ThrowsExactly<ArgumentException>(() => model.Forward(torch.rand(0, 3, 16, 16)));
        ex = Assert.ThrowsExactly<ArgumentException>(() => model.Decode(torch.randn(2, 7)));
        StringAssert.Contains(ex.Message, "[N, 8]");

        var odd = Tiny();
        odd.SampleShape = [1, 30, 30];
        ex = Assert.ThrowsExactly<ArgumentException>(() => new GamixVae(odd));
        StringAssert.Contains(ex.Message, "divisible by 4");
        var flat = Tiny();
        flat.SampleShape = [784];
        ex = Assert.ThrowsExactly<ArgumentException>(() => new GamixVae(flat));
        StringAssert.Contains(ex.Message, "[C, H, W]");
        var both = Tiny(baseline: true);
        both.PatchGan = true;
        ex = Assert.ThrowsExactly<ArgumentException>(() => new GamixVae(both));
        StringAssert.Contains(ex.Message, "PatchGan");
        var single = Tiny();
        single.BatchSize = 1;
        ex = Assert.ThrowsExactly<ArgumentException>(() => GamixTraining.CreateProgram(model, single));
        StringAssert.Contains(ex.Message, "BatchSize");
    }

    [TestMethod]
    public void ProgramRejectsOptionsThatDoNotMatchTheModel()
    {
        using var model = new GamixVae(Tiny());
        Assert.ThrowsExactly<ArgumentException>(() => GamixTraining.CreateProgram(model, Tiny(baseline: true)));
        var wider = Tiny();
        wider.Filters = 8;
        Assert.ThrowsExactly<ArgumentException>(() => GamixTraining.CreateProgram(model, wider));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => GamixTraining.CreateProgram(model, Tiny(patchGan: false)));
        StringAssert.Contains(ex.Message, "PatchGan");
        var otherWeights = Tiny();
        otherWeights.AdversarialWeight = 10;
        using var program = (GamixProgram)GamixTraining.CreateProgram(model, otherWeights);
        Assert.IsNotNull(program.Discriminator);
        CollectionAssert.AreEqual(new[] { "vae", "discriminator" }, program.Optimizers.Select(o => o.Name).ToArray());
        using var plain = (GamixProgram)GamixTraining.CreateProgram(new GamixVae(Tiny(baseline: true)));
        Assert.IsNull(plain.Discriminator);
        CollectionAssert.AreEqual(new[] { "model" }, plain.Modules.Select(m => m.Name).ToArray());
        plain.Model.Dispose();
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void SaveAndLoadGiveIdenticalEncodings(bool baselineKind)
    {
        using var oneThread = new GamixTrainingTests.OneThread();
        torch.manual_seed(4);
        var options = Tiny(baselineKind);
        options.ReconstructionWeight = 1234;
        using var model = new GamixVae(options);
        // A few steps move the batch-norm statistics away from their initial values, so they must be saved too.
        using (var program = GamixTraining.CreateProgram(model))
            for (long step = 1; step <= 3; step++)
                using (torch.NewDisposeScope())
                    program.Step(torch.rand(4, 3, 16, 16), step, () => torch.rand(4, 3, 16, 16));
        model.SetTraining(false);
        using var stream = new MemoryStream();
        ModelStore.Save(model, stream);
        stream.Position = 0;
        using var loaded = ModelStore.Load(stream);
        var copy = (GamixVae)loaded;
        Assert.AreEqual(baselineKind ? "gamix-baseline" : "gamix", copy.Kind);
        Assert.AreEqual(1234, copy.Options.ReconstructionWeight);
        Assert.AreEqual(!baselineKind, copy.PatchGan);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = torch.rand(5, 3, 16, 16);
        var (m1, v1) = model.Encode(x);
        var (m2, v2) = copy.Encode(x);
        CollectionAssert.AreEqual(m1.data<float>().ToArray(), m2.data<float>().ToArray());
        CollectionAssert.AreEqual(v1.data<float>().ToArray(), v2.data<float>().ToArray());
        Assert.IsTrue(ModelRegistry.Default.Kinds.Contains("gamix"));
        Assert.IsTrue(ModelRegistry.Default.Kinds.Contains("gamix-baseline"));
    }

    [TestMethod]
    public void ObservationModelIsTheLaplaceImpliedByTheMaeWeight()
    {
        const double weight = 50;
        var obs = new GamixObservationModel(weight, elementsPerSample: 4);
        Assert.AreEqual(weight / 4, obs.PerElementWeight, 1e-15);
        Assert.AreEqual(4 / weight, obs.ModelScale, 1e-15);
        Assert.AreEqual(2 / weight, obs.Scale, 1e-15);
        double[] x = [0.1, 0.9, 0.5, 0.0, 1.0, 0.3, 0.2, 0.7];
        double[] mu = [0.2, 0.8, 0.5, 0.1, 0.6, 0.3, 0.0, 0.9];
        using var scope = torch.NewDisposeScope();
        var ll = obs.LogLikelihood(torch.tensor(x, [2, 1, 2, 2]), torch.tensor(mu, [2, 1, 2, 2])).data<double>().ToArray();
        for (int s = 0; s < 2; s++)
        {
            double unit = 0, symmetric = 0, absolute = 0;
            for (int i = 0; i < 4; i++)
            {
                double r = x[4 * s + i] - mu[4 * s + i];
                unit += -Math.Abs(r) / obs.Scale - Math.Log(2 * obs.Scale);
                // The same point on the [−1, 1] scale, where the residual doubles.
                symmetric += -Math.Abs(2 * r) / obs.ModelScale - Math.Log(2 * obs.ModelScale);
                absolute += Math.Abs(r);
            }
            Assert.AreEqual(unit, ll[s], 1e-9);
            // Change of variables x' = 2x − 1: log p(x) = log p(x') + D·log 2.
            Assert.AreEqual(symmetric + 4 * Math.Log(2), ll[s], 1e-9);
            // Up to a constant, −log p is the per-sample reconstruction loss (λ/D)·Σ|x' − x̂'|.
            Assert.AreEqual(-(weight / 4) * 2 * absolute - 4 * Math.Log(2 * obs.Scale), ll[s], 1e-9);
        }
        Assert.ThrowsExactly<ArgumentException>(() => obs.LogLikelihood(torch.zeros(2, 5), torch.zeros(2, 5)));
        using var model = new GamixVae(Tiny());
        Assert.AreEqual(3 * 16 * 16 / 5000.0, ((GamixObservationModel)model.Observation).ModelScale, 1e-12);
    }

    [TestMethod]
    public void PresetsDescribeThePaperAndTheSmallConfiguration()
    {
        var faces = GamixPresets.Faces256(patchGan: true);
        CollectionAssert.AreEqual(new long[] { 3, 256, 256 }, faces.SampleShape);
        Assert.AreEqual(512, faces.LatentDim);
        Assert.AreEqual(64, faces.ResolveCodeChannels());
        Assert.AreEqual(10, faces.BatchSize);
        Assert.AreEqual(1e-4, faces.LearningRate);
        Assert.AreEqual(0.5, faces.AdamBeta1);
        Assert.AreEqual(5000, faces.ReconstructionWeight);
        Assert.AreEqual(100, faces.AdversarialWeight);
        Assert.IsFalse(GamixPresets.Faces256(patchGan: false).PatchGan);
        var fashion = GamixPresets.FashionMnist(patchGan: false);
        fashion.Validate();
        Assert.AreEqual(7, fashion.ToNetworkConfig().CodeHeight);
        Assert.AreEqual(2, fashion.Stages);
        Assert.AreEqual(3, GamixPresets.SmallImages([3, 32, 32], patchGan: true).Stages);
        Assert.AreEqual(1, GamixPresets.SmallImages([1, 30, 30], patchGan: true).Stages);
        Assert.ThrowsExactly<ArgumentException>(() => GamixPresets.SmallImages([1, 5, 5], patchGan: true));
        var baseline = GamixPresets.AsBaseline(GamixPresets.FashionMnist(patchGan: true));
        Assert.AreEqual("gamix-baseline", baseline.Kind);
        Assert.IsFalse(baseline.PatchGan);
    }
}
