using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Evaluation;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Core.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class SoftIntroTrainingTests
{
    /// <summary>Small networks, a fast learning rate and short schedules on 2-D data.</summary>
    private static SoftIntroOptions Small(SoftIntroPriorKind prior = SoftIntroPriorKind.Standard)
    {
        var o = SoftIntroPresets.Toy("8gaussians");
        o.MlpHiddenSizes = [64, 64];
        o.BatchSize = 128;
        o.LearningRate = 1e-3;
        o.PriorLearningRate = 1e-3;
        o.WarmupIterations = 100;
        o.Iterations = 300;
        o.PriorKind = prior;
        o.Components = 8;
        o.KlSamples = 10;
        o.VampConversionLead = 10;
        return o;
    }

    /// <summary>Batches from a sampler, with NaN batches from a given step on.</summary>
    private sealed class PoisonedSource(IDataSampler sampler, int batch, long poisonFrom) : IBatchSource
    {
        private long _drawn;

        public Tensor Next()
        {
            _drawn++;
            var x = sampler.Sample(batch);
            if (_drawn < poisonFrom) return x;
            using (x) return torch.full_like(x, double.NaN);
        }

        public string SaveState() => _drawn.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public void RestoreState(string state) => _drawn = long.Parse(state, System.Globalization.CultureInfo.InvariantCulture);
    }

    [TestMethod]
    public void ShortToyRunLowersReconstructionAndGivesFiniteMetrics()
    {
        long baseline = LiveTensors.Count;
        var options = Small();
        // A reconstruction-heavy setting learns visibly within 300 iterations (the paper's β's need thousands).
        (options.BetaRec, options.BetaKl, options.BetaNeg, options.LearningRate) = (1.0, 0.1, 0.5, 2e-3);
        var sampler = ToyDatasets.Create("8gaussians");
        torch.manual_seed(3);
        using (var model = new SoftIntroVae(options))
        using (var program = SoftIntroTraining.CreateProgram(model))
        {
            var trainer = new Trainer(program, new TrainerOptions { Iterations = 300, LogInterval = 10, Seed = 4 });
            var result = trainer.Train(new SamplerBatchSource(sampler, options.BatchSize));
            var series = result.History.Series("reconstruction");
            Console.WriteLine(string.Join(" ", series.Select(p => $"{p.Step}:{p.Value:F3}")));
            double early = series.Take(5).Average(p => p.Value), late = series.TakeLast(5).Average(p => p.Value);
            Assert.IsLessThan(0.5 * early, late, $"reconstruction {early:G4} → {late:G4}");
            foreach (var name in new[] { "encoder_loss", "decoder_loss", "kl_real", "kl_fake", "kl_rec", "exp_elbo_fake", "exp_elbo_rec", "diff_kl" })
                Assert.IsTrue(result.FinalTerms.ContainsKey(name), name);
            Assert.IsTrue(result.History.Series("kl").Count > 0, "the warm-up logs the plain-VAE terms");
            Assert.AreEqual(2e-3, program.Optimizers[0].Optimizer.GetLearningRate(), 1e-15, "milestones 10k/15k are not reached");

            torch.manual_seed(5);
            var metrics = Density2DMetrics.Compute(model, sampler, new Density2DOptions { Samples = 2000, GridPoints = 64, DataBatches = 10 });
            Console.WriteLine($"8gaussians after 300 iterations: {metrics}");
            Assert.IsTrue(double.IsFinite(metrics.Kl) && metrics.Kl >= 0, $"KL {metrics.Kl}");
            Assert.IsTrue(double.IsFinite(metrics.Jsd) && metrics.Jsd >= 0, $"JSD {metrics.Jsd}");
            Assert.IsTrue(double.IsFinite(metrics.GnElbo) && metrics.GnElbo > 0, $"gnELBO {metrics.GnElbo}");
            var dataCount = 10 * new Density2DOptions().DataBatchSize;
            Assert.AreEqual(metrics.GnElbo, metrics.DataNegElbo / (metrics.GridNegElbo * 64 * 64 + metrics.DataNegElbo * dataCount),
                1e-9 * metrics.GnElbo, "the reported parts give the gnELBO");
            Assert.AreEqual(2.0, metrics.Range);
        }
        Assert.AreEqual(baseline, LiveTensors.Count, "tensors leaked");
    }

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void LearnedPriorMovesInTheIntrospectivePhaseOnlyWhenItPlays(bool introPrior)
    {
        var options = Small(SoftIntroPriorKind.Mixture);
        options.WarmupIterations = 1;
        options.TrainPriorInIntrospection = introPrior;
        options.SampleFakesWithGrad = introPrior;
        var sampler = ToyDatasets.Create("8gaussians");
        torch.manual_seed(6);
        using var model = new SoftIntroVae(options);
        using (torch.NewDisposeScope()) model.InitializePrior(sampler.Sample(64));
        using var program = SoftIntroTraining.CreateProgram(model);
        Assert.AreEqual(introPrior, program.PriorTrainsInIntrospection);
        using (torch.NewDisposeScope()) program.Step(sampler.Sample(128), 1, () => sampler.Sample(128));
        var prior = Snapshot(model, "prior.");
        var decoder = Snapshot(model, "decoder.");
        using (torch.NewDisposeScope()) program.Step(sampler.Sample(128), 2, () => sampler.Sample(128));
        Assert.AreEqual(introPrior, Changed(prior, Snapshot(model, "prior.")), "prior parameters");
        Assert.IsTrue(Changed(decoder, Snapshot(model, "decoder.")), "decoder parameters");
        Assert.AreEqual(introPrior && options.ClipPriorVariance, model.MixturePrior!.ClipEnabled, "clipping starts with the introspective phase of a playing prior");
    }

    [TestMethod]
    public void VampPriorBecomesAMixtureAndTheOptimizersRestart()
    {
        var options = Small(SoftIntroPriorKind.Vamp);
        options.WarmupIterations = 3;
        options.VampConversionLead = 1;   // converted at the start of iteration 3
        var sampler = ToyDatasets.Create("2spirals");
        torch.manual_seed(7);
        using var model = new SoftIntroVae(options);
        using (torch.NewDisposeScope()) model.InitializePrior(sampler.Sample(64));
        using var program = SoftIntroTraining.CreateProgram(model);
        for (long step = 1; step <= 2; step++)
            using (torch.NewDisposeScope()) program.Step(sampler.Sample(128), step, () => sampler.Sample(128));
        Assert.IsTrue(model.VampActive);
        float[] encoded;
        using (torch.NewDisposeScope())
        using (torch.no_grad())
            encoded = model.VampPrior!.EncodeComponents(model.Encoder).Means.data<float>().ToArray();
        using (torch.NewDisposeScope()) program.Step(sampler.Sample(128), 3, () => sampler.Sample(128));
        Assert.IsFalse(model.VampActive);
        foreach (var (_, optimizer) in program.Optimizers) Assert.AreEqual(1, OptimizerCheckpoint.StepCount(optimizer), "fresh optimizers after the conversion");
        // One Adam step moves each mean by at most about the learning rate.
        var means = model.MixturePrior!.Means.data<float>().ToArray();
        for (int i = 0; i < means.Length; i++) Assert.AreEqual(encoded[i], means[i], 2.5 * options.PriorLearningRate, $"mean {i}");
    }

    [TestMethod]
    public void NonFiniteLossesStopTrainingNamingTheTerm()
    {
        var options = Small();
        options.WarmupIterations = 1;
        options.CheckLossesEveryStep = true;
        var sampler = ToyDatasets.Create("rings");
        using (var model = new SoftIntroVae(options))
        using (var program = SoftIntroTraining.CreateProgram(model))
        {
            using (torch.NewDisposeScope()) program.Step(sampler.Sample(64), 1, () => sampler.Sample(64));
            var before = Snapshot(model, "encoder.");
            var ex = Assert.ThrowsExactly<TrainingDivergedException>(() =>
            {
                using var scope = torch.NewDisposeScope();
                program.Step(torch.full(64, 2, double.NaN), 2, () => sampler.Sample(64));
            });
            Assert.AreEqual("encoder_loss", ex.Term);
            Assert.AreEqual(2, ex.Step);
            Assert.IsFalse(Changed(before, Snapshot(model, "encoder.")), "the non-finite update was not applied");
        }

        // Without the per-step check the trainer's guard reports the first bad step and term.
        options.CheckLossesEveryStep = false;
        using (var model = new SoftIntroVae(options))
        using (var program = SoftIntroTraining.CreateProgram(model))
        {
            var trainer = new Trainer(program, new TrainerOptions { Iterations = 20, LogInterval = 10 });
            var ex = Assert.ThrowsExactly<TrainingDivergedException>(() => trainer.Train(new PoisonedSource(sampler, 64, 7)));
            Assert.AreEqual(7, ex.Step);
            CollectionAssert.Contains(new[] { "loss", "encoder_loss", "decoder_loss", "reconstruction" }, ex.Term);
        }
    }

    [TestMethod]
    public void LearnedPriorModelsSaveLoadAndResumeExactly()
    {
        var options = Small(SoftIntroPriorKind.Vamp);
        options.WarmupIterations = 4;
        options.VampConversionLead = 2;
        options.LearnableWeights = true;
        options.ResponsibilityWeight = 1;
        var dir = Path.Combine(Path.GetTempPath(), "soft-intro-test-" + Guid.NewGuid().ToString("N"));
        try
        {
            var sampler = ToyDatasets.Create("checkerboard");
            SoftIntroVae Run(long iterations, bool resume)
            {
                torch.manual_seed(8);
                var model = new SoftIntroVae(options);
                try
                {
                    if (!resume) using (torch.NewDisposeScope()) model.InitializePrior(sampler.Sample(64));
                    using var program = SoftIntroTraining.CreateProgram(model);
                    new Trainer(program, new TrainerOptions
                    {
                        Iterations = iterations, LogInterval = 1, Seed = 9, CheckpointDirectory = Path.Combine(dir, "checkpoints"), Resume = resume,
                    }).Train(new SamplerBatchSource(sampler, 64));
                    return model;
                }
                catch
                {
                    model.Dispose();
                    throw;
                }
            }

            // Interrupted after the conversion (step 3) and before clipping starts (step 5), then resumed.
            Run(4, resume: false).Dispose();
            Dictionary<string, float[]> resumed;
            using (var model = Run(8, resume: true))
                resumed = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.data<float>().ToArray());
            Directory.Delete(Path.Combine(dir, "checkpoints"), recursive: true);
            using var straight = Run(8, resume: false);
            foreach (var (name, t) in straight.StateDict())
                CollectionAssert.AreEqual(t.data<float>().ToArray(), resumed[name], $"{name} differs after resuming");
            Assert.IsFalse(straight.VampActive);
            Assert.IsTrue(straight.MixturePrior!.ClipEnabled);

            var path = Path.Combine(dir, "model.zip");
            ModelStore.Save(straight, path);
            Assert.AreEqual(SoftIntroOptions.ModelKind, ModelStore.ReadInfo(path).Config.Kind);
            using var loaded = (SoftIntroVae)ModelStore.Load(path);
            Assert.AreEqual(SoftIntroPriorKind.Vamp, loaded.PriorKind);
            Assert.IsFalse(loaded.VampActive, "the conversion flag is restored");
            Assert.IsTrue(loaded.MixturePrior!.ClipEnabled, "the clipping flag is restored");
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            straight.SetTraining(false);
            var z = torch.randn(16, 2);
            CollectionAssert.AreEqual(straight.Prior.LogProb(z).data<float>().ToArray(), loaded.Prior.LogProb(z).data<float>().ToArray());
            var x = sampler.Sample(16);
            CollectionAssert.AreEqual(straight.Encode(x).Mean.data<float>().ToArray(), loaded.Encode(x).Mean.data<float>().ToArray());
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void PresetsAndOptionsFollowThePapers()
    {
        var toy = SoftIntroPresets.Toy("checkerboard");
        Assert.AreEqual((0.1, 0.2, 0.2), (toy.BetaKl, toy.BetaRec, toy.BetaNeg));
        Assert.AreEqual(0.5, toy.ResolveScale());
        Assert.AreEqual(2000, toy.WarmupIterations);
        CollectionAssert.AreEqual(new long[] { 10_000, 15_000 }, toy.LrMilestones);
        var learned = SoftIntroPresets.ToyLearnedPrior("rings");
        Assert.AreEqual((SoftIntroPriorKind.Vamp, 64, 100, 1900L), (learned.PriorKind, learned.Components, learned.KlSamples, learned.VampConversionStep - 1));
        var vae = SoftIntroPresets.ToyVae("8gaussians");
        Assert.AreEqual(vae.Iterations, vae.WarmupIterations);
        var fashion = SoftIntroPresets.FashionMnist(learnedPrior: true);
        Assert.AreEqual(1.0 / 784, fashion.ResolveScale(), 1e-15);
        Assert.AreEqual((256.0, 100, 100.0, 220L * 469), (fashion.BetaNeg, fashion.Components, fashion.ResponsibilityWeight, fashion.Iterations));
        Assert.AreEqual(128.0, SoftIntroPresets.Mnist(learnedPrior: true).BetaNeg);
        Assert.AreEqual(SoftIntroNetwork.ResNet, SoftIntroPresets.Mnist().ResolveNetwork());
        Assert.ThrowsExactly<ArgumentException>(() => SoftIntroPresets.Toy("moons"));

        foreach (var bad in new Action<SoftIntroOptions>[]
        {
            o => o.LatentDim = 0, o => o.BetaNeg = -1, o => o.KlSamples = 0, o => o.Scale = 0,
            o => o.LrMilestones = [0], o => o.Network = SoftIntroNetwork.ResNet, o => o.AdamBeta2 = 1,
        })
        {
            var o = Small();
            bad(o);
            Assert.ThrowsExactly<ArgumentException>(() => new SoftIntroVae(o));
        }
        using var model = new SoftIntroVae(Small());
        var other = Small(SoftIntroPriorKind.Mixture);
        Assert.ThrowsExactly<ArgumentException>(() => SoftIntroTraining.CreateProgram(model, other));
        Assert.ThrowsExactly<InvalidOperationException>(() => model.ConvertVampToMixture());
    }

    private static Dictionary<string, float[]> Snapshot(SoftIntroVae model, string prefix) =>
        model.named_parameters().Where(p => p.name.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(p => p.name, p => p.parameter.data<float>().ToArray());

    private static bool Changed(Dictionary<string, float[]> before, Dictionary<string, float[]> after) =>
        before.Any(kv => !kv.Value.SequenceEqual(after[kv.Key]));
}
