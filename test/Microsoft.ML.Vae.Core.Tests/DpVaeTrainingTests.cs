using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class DpVaeTrainingTests
{
    private const int Dim = 8;
    private const int Count = 512;
    private const int Batch = 64;

    /// <summary>Four Gaussian blobs in 8-D (std 0.3 around centers of scale 2).</summary>
    private static Tensor Blobs(long seed)
    {
        torch.manual_seed(seed);
        using var scope = torch.NewDisposeScope();
        var centers = torch.randn(4, Dim) * 2.0;
        var labels = torch.randint(0, 4, new long[] { Count });
        var x = centers.index_select(0, labels) + torch.randn(Count, Dim) * 0.3;
        return x.DetachFromDisposeScope();
    }

    /// <summary>Small networks and a faster learning rate; the regularizer weights stay at their released values.</summary>
    private static DpVaeOptions SmallOptions(string kind)
    {
        var (regularizer, dp) = DpVaeKinds.Parse(kind);
        return new DpVaeOptions
        {
            Regularizer = regularizer,
            DecoupledPrior = dp,
            LatentDim = 2,
            SampleShape = [Dim],
            MlpHiddenSizes = [32, 32],
            FlowHidden = 16,
            LearningRate = 1e-3,
            DiscriminatorLearningRate = 1e-3,
            DiscriminatorHidden = 32,
            DiscriminatorLayers = 2,
            BatchSize = Batch,
            DatasetSize = Count,
            CapacityStopIteration = 200,
        };
    }

    [TestMethod]
    [DataRow("vae")]
    [DataRow("beta-h")]
    [DataRow("beta-b")]
    [DataRow("beta-tc")]
    [DataRow("factor")]
    [DataRow("info")]
    [DataRow("dp-vae")]
    [DataRow("dp-beta-h")]
    [DataRow("dp-beta-b")]
    [DataRow("dp-beta-tc")]
    [DataRow("dp-factor")]
    [DataRow("dp-info")]
    public void LossDecreasesOverTwoHundredSteps(string kind)
    {
        long baseline = LiveTensors.Count;
        var data = Blobs(1);
        try
        {
            torch.manual_seed(2);
            var options = SmallOptions(kind);
            using var model = new DpVae(options);
            Assert.AreEqual(kind, model.Kind);
            Assert.AreEqual(NetworkKind.Mlp, model.NetworkKind);
            using var program = DpVaeTraining.CreateProgram(model, options);
            Assert.IsInstanceOfType(program, options.Regularizer == Regularizer.Factor ? typeof(FactorVaeProgram) : typeof(DpVaeProgram));
            var totals = new List<double>();
            for (long step = 1; step <= 200; step++)
            {
                using var scope = torch.NewDisposeScope();
                Tensor Draw() => data.index_select(0, torch.randint(0, Count, new long[] { Batch }));
                var terms = program.Step(Draw(), step, Draw);
                double total = terms.Total.ItemAsDouble();
                Assert.IsTrue(double.IsFinite(total), $"step {step}: loss {total}");
                totals.Add(total);
                if (step == 1 && options.Regularizer == Regularizer.Factor) Assert.IsTrue(terms.Contains("discriminator"));
            }
            double first = totals.Take(20).Average(), last = totals.TakeLast(20).Average();
            Assert.IsLessThan(first, last, $"{kind}: first-20 mean {first:G5}, last-20 mean {last:G5}");
        }
        finally
        {
            data.Dispose();
        }
        Assert.AreEqual(baseline, LiveTensors.Count, "tensors leaked");
    }

    [TestMethod]
    public void TrainsWithTheGenericTrainer()
    {
        var options = SmallOptions("dp-factor");
        using var data = new TensorDataset(Blobs(3));
        using var source = new DatasetBatchSource(data, Batch, seed: 4);
        torch.manual_seed(5);
        using var model = new DpVae(options);
        using var program = DpVaeTraining.CreateProgram(model);
        var trainer = new Trainer(program, new TrainerOptions { Iterations = 30, LogInterval = 10, Seed = 6 });
        var result = trainer.Train(source);
        Assert.AreEqual(30, result.FinalStep);
        foreach (var name in new[] { "loss", "reconstruction", "kl", "tc", "discriminator" })
            Assert.IsTrue(result.FinalTerms.ContainsKey(name), name);
    }

    [TestMethod]
    public void ProgramRejectsMismatchedOrIncompleteOptions()
    {
        var options = SmallOptions("beta-tc");
        using var model = new DpVae(options);
        var noSize = options.Clone();
        noSize.DatasetSize = 0;
        var ex = Assert.ThrowsExactly<ArgumentException>(() => DpVaeTraining.CreateProgram(model, noSize));
        StringAssert.Contains(ex.Message, "DatasetSize");
        var other = options.Clone();
        other.DecoupledPrior = true;
        ex = Assert.ThrowsExactly<ArgumentException>(() => DpVaeTraining.CreateProgram(model, other));
        StringAssert.Contains(ex.Message, "dp-beta-tc");
    }

    [TestMethod]
    [DataRow("dp-beta-tc")]
    [DataRow("dp-factor")]
    public void TheSameSeedGivesTheSameTraining(string kind)
    {
        var data = Blobs(6);
        try
        {
            (double[] Losses, Dictionary<string, float[]> Weights) Run()
            {
                torch.manual_seed(7);
                var options = SmallOptions(kind);
                using var model = new DpVae(options);
                using var program = DpVaeTraining.CreateProgram(model, options);
                var losses = new double[20];
                for (long step = 1; step <= losses.Length; step++)
                {
                    using var scope = torch.NewDisposeScope();
                    Tensor Draw() => data.index_select(0, torch.randint(0, Count, new long[] { Batch }));
                    losses[step - 1] = program.Step(Draw(), step, Draw).Total.ItemAsDouble();
                }
                return (losses, model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.data<float>().ToArray()));
            }

            var first = Run();
            var second = Run();
            CollectionAssert.AreEqual(first.Losses, second.Losses, $"{kind}: losses");
            Assert.AreNotEqual(first.Losses[0], first.Losses[^1], "the runs trained");
            foreach (var (name, weights) in first.Weights)
                CollectionAssert.AreEqual(weights, second.Weights[name], $"{kind}: {name}");
        }
        finally
        {
            data.Dispose();
        }
    }

    [TestMethod]
    public void CustomTorchSharpEncoderTrainsAsADpBetaTcVae()
    {
        long baseline = LiveTensors.Count;
        const int batch = 128;
        var sampler = ToyDatasets.Create("8gaussians");
        var options = new DpVaeOptions
        {
            Regularizer = Regularizer.BetaTc,
            DecoupledPrior = true,
            LatentDim = 2,
            SampleShape = [2],
            FlowHidden = 16,
            LearningRate = 2e-3,
            BatchSize = batch,
            DatasetSize = 10_000,
        };
        torch.manual_seed(21);
        using (var model = new DpVae(options, new DpVaeModelTests.UserEncoder(2, 64, 4), DpVaeModelTests.UserDecoder(2, 2)))
        using (var program = DpVaeTraining.CreateProgram(model))
        {
            Assert.AreEqual("dp-beta-tc", model.Kind);
            Assert.IsInstanceOfType<DecoupledFlowPrior>(model.Prior);
            Assert.IsInstanceOfType<DpVaeProgram>(program);
            var totals = new List<double>();
            for (long step = 1; step <= 150; step++)
            {
                using var scope = torch.NewDisposeScope();
                var terms = program.Step(sampler.Sample(batch), step, () => sampler.Sample(batch));
                CollectionAssert.AreEqual(new[] { "reconstruction", "mi", "tc", "dwkl" }, terms.Terms.Select(t => t.Name).ToArray());
                foreach (var (name, value) in terms.ToValues())
                    Assert.IsTrue(double.IsFinite(value), $"step {step}: {name} = {value}");
                totals.Add(terms.Total.ItemAsDouble());
            }
            double first = totals.Take(20).Average(), last = totals.TakeLast(20).Average();
            Assert.IsLessThan(first, last, $"first-20 mean {first:G5}, last-20 mean {last:G5}");

            using var evaluation = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            model.SetTraining(false);
            var x = sampler.Sample(16);
            var (mean, logVar) = model.Encode(x);
            CollectionAssert.AreEqual(new long[] { 16, 2 }, mean.shape);
            CollectionAssert.AreEqual(new long[] { 16, 2 }, logVar.shape);
            Assert.IsTrue(mean.AllFinite() && logVar.AllFinite());
            var samples = model.Sample(32);
            CollectionAssert.AreEqual(new long[] { 32, 2 }, samples.shape);
            Assert.IsTrue(samples.AllFinite());
            // The reconstructions of the posterior means are much closer to the data than the data's own spread.
            var error = (model.Decode(mean) - x).square().sum(1).mean().ItemAsDouble();
            var spread = (x - x.mean([0], keepdim: true)).square().sum(1).mean().ItemAsDouble();
            Assert.IsLessThan(0.5 * spread, error, $"reconstruction error {error:G4} against spread {spread:G4}");
        }
        Assert.AreEqual(baseline, LiveTensors.Count, "tensors leaked");
    }
}
