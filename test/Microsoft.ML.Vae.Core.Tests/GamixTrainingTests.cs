using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class GamixTrainingTests
{
    private const int Images = 512;
    private const int Steps = 60;

    /// <summary>The Fashion-MNIST geometry (28 → 14 → 7) with tiny widths, one identity block per stage and a faster learning rate.</summary>
    private static GamixOptions SmallFashionMnist(bool patchGan)
    {
        var o = GamixPresets.FashionMnist(patchGan);
        o.LatentDim = 8;
        o.Filters = 8;
        o.EncoderIdentityBlocks = 1;
        o.PatchGanFilters = [8, 8, 8, 4, 4, 1];
        o.LearningRate = 2e-3;
        o.DiscriminatorLearningRate = 2e-3;
        o.BatchSize = 16;
        return o;
    }

    /// <summary>Mean absolute error in [0, 1] units of decoding the posterior means of <paramref name="x"/>.</summary>
    private static double ReconstructionError(GamixVae model, Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // Batch statistics, as during training: 60 steps are too few for Keras' slow running averages.
        model.SetTraining(true);
        var (mean, _) = model.Encode(x);
        return (model.Decode(mean) - x).abs().mean().ItemAsDouble();
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void ShortFashionMnistRunLowersTheReconstructionError(bool patchGan)
    {
        if (!FashionMnist.IsAvailable()) Assert.Inconclusive("Fashion-MNIST is not installed.");
        long baseline = LiveTensors.Count;
        using (new OneThread())
        {
            using var data = FashionMnist.LoadTrain(Images);
            var options = SmallFashionMnist(patchGan);
            torch.manual_seed(7);
            using var model = new GamixVae(options);
            using var program = GamixTraining.CreateProgram(model, options);
            using var probe = data.Features.narrow(0, 0, 64);
            double before = ReconstructionError(model, probe);
            for (long step = 1; step <= Steps; step++)
            {
                using var scope = torch.NewDisposeScope();
                var batch = data.Features.index_select(0, torch.randint(0, Images, new long[] { options.BatchSize }));
                var terms = program.Step(batch, step, () => batch);
                foreach (var (name, value) in terms.ToValues())
                    Assert.IsTrue(double.IsFinite(value), $"step {step}: {name} = {value}");
                if (step == 1)
                {
                    Assert.AreEqual(patchGan, terms.Contains("adversarial"));
                    Assert.AreEqual(patchGan, terms.Contains("discriminator"));
                }
            }
            double after = ReconstructionError(model, probe);
            Assert.IsLessThan(0.8 * before, after, $"PatchGAN {patchGan}: reconstruction MAE {before:F4} → {after:F4}");
        }
        Assert.AreEqual(baseline, LiveTensors.Count, "tensors leaked");
    }

    [TestMethod]
    public void TrainsWithTheGenericTrainerAndCheckpointsThePatchGan()
    {
        using var oneThread = new OneThread();
        using var files = new DataTestFiles();
        var options = GamixModelTests.Tiny();
        torch.manual_seed(8);
        using var data = new TensorDataset(torch.rand(32, 3, 16, 16).DetachFromDisposeScope());
        using var source = new DatasetBatchSource(data, options.BatchSize, seed: 9);
        using var model = new GamixVae(options);
        using var program = GamixTraining.CreateProgram(model);
        var trainer = new Trainer(program, new TrainerOptions { Iterations = 6, LogInterval = 3, Seed = 10, CheckpointDirectory = files.Root });
        var result = trainer.Train(source);
        Assert.AreEqual(6, result.FinalStep);
        foreach (var name in new[] { "loss", "reconstruction", "mixture_kl", "variance", "adversarial", "discriminator" })
            Assert.IsTrue(result.FinalTerms.ContainsKey(name), name);
        Assert.IsNotNull(result.CheckpointPath);
        Assert.IsTrue(File.Exists(result.CheckpointPath));
    }

    /// <summary>
    /// Runs libtorch on one intra-op thread until disposed, then restores the previous count: tiny
    /// networks gain nothing from threads, and on a busy two-core machine they cost a lot.
    /// </summary>
    internal sealed class OneThread : IDisposable
    {
        private readonly int _previous = TorchRuntime.Threads;

        public OneThread() => TorchRuntime.Threads = 1;

        public void Dispose() => TorchRuntime.Threads = _previous;
    }
}
