using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

[TestClass]
public sealed class DpVaeTrainingTests
{
    private const int Dim = 8;
    private const int Count = 512;
    private const int Batch = 64;

    /// <summary>Four Gaussian blobs in 8-D (std 0.3 around centers of scale 2).</summary>
    private static Tensor Blobs(long seed)
    {
        Torch.ManualSeed(seed);
        using var scope = Torch.NewDisposeScope();
        var centers = Torch.Randn([4, Dim]) * 2.0;
        var labels = Torch.RandInt(0, 4, [Count]);
        var x = centers.IndexSelect(0, labels) + Torch.Randn([Count, Dim]) * 0.3;
        return x.DetachFromScope();
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
        long baseline = Tensor.LiveCount;
        var data = Blobs(1);
        try
        {
            Torch.ManualSeed(2);
            var options = SmallOptions(kind);
            using var model = new DpVae(options);
            Assert.AreEqual(kind, model.Kind);
            Assert.AreEqual(NetworkKind.Mlp, model.NetworkKind);
            using var program = DpVaeTraining.CreateProgram(model, options);
            Assert.IsInstanceOfType(program, options.Regularizer == Regularizer.Factor ? typeof(FactorVaeProgram) : typeof(DpVaeProgram));
            var totals = new List<double>();
            for (long step = 1; step <= 200; step++)
            {
                using var scope = Torch.NewDisposeScope();
                Tensor Draw() => data.IndexSelect(0, Torch.RandInt(0, Count, [Batch]));
                var terms = program.Step(Draw(), step, Draw);
                double total = terms.Total.Item();
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
        Assert.AreEqual(baseline, Tensor.LiveCount, "tensors leaked");
    }

    [TestMethod]
    public void TrainsWithTheGenericTrainer()
    {
        var options = SmallOptions("dp-factor");
        using var data = new TensorDataset(Blobs(3));
        using var source = new DatasetBatchSource(data, Batch, seed: 4);
        Torch.ManualSeed(5);
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
}
