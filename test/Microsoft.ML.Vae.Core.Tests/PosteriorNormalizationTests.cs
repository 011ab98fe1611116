using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class PosteriorNormalizationTests : LeakCheckedTest
{
    [TestMethod]
    public void FirstBatchSetsTheEstimatesAndLaterOnesMoveThemByTheMomentum()
    {
        using var norm = new PosteriorNormalization(2, momentum: 0.5);
        using var scope = torch.NewDisposeScope();
        // Columns: mean 2 and 10, std 1 and 4 (sample std of ±1 and ±4 around the mean, n = 2: √2 and 4√2).
        norm.Observe(torch.tensor(new float[] { 1, 6, 3, 14 }, 2, 2));
        Assert.AreEqual(1, norm.Updates);
        Assert.AreEqual(2, norm.Mean[0], 1e-6);
        Assert.AreEqual(10, norm.Mean[1], 1e-6);
        Assert.AreEqual(Math.Log(Math.Sqrt(2)), norm.LogStd[0], 1e-6);
        Assert.AreEqual(Math.Log(4 * Math.Sqrt(2)), norm.LogStd[1], 1e-6);
        // A second batch with mean (4, 10) and the same spreads: the mean moves half way.
        norm.Observe(torch.tensor(new float[] { 3, 6, 5, 14 }, 2, 2));
        Assert.AreEqual(3, norm.Mean[0], 1e-6);
        Assert.AreEqual(Math.Log(Math.Sqrt(2)), norm.LogStd[0], 1e-6);
    }

    [TestMethod]
    public void DuringABatchTheStatisticsCarryGradients()
    {
        using var norm = new PosteriorNormalization(1);
        using var scope = torch.NewDisposeScope();
        var z = (torch.tensor(new float[] { 1, 2, 4, 9 }, 4, 1)).requires_grad_(true);
        norm.BeginBatch(z);
        // Batch-standardized values always sum to zero, so their sum has no gradient at all.
        norm.Normalize(z).Output.sum().backward();
        Assert.AreEqual(0, z.grad!.abs().max().ToDouble(), 1e-5);
        norm.EndBatch();
        // With the running estimates (here the first batch's) the map is affine in z: gradient e^(−s) per element.
        z.grad!.zero_();
        norm.Normalize(z).Output.sum().backward();
        Assert.AreEqual(Math.Exp(-norm.LogStd[0]), z.grad!.data<float>()[0], 1e-5);
        Assert.AreEqual(1, norm.Updates);
    }

    [TestMethod]
    public void NormalizedFlowIsABijectionWithTheRightLogDeterminant()
    {
        torch.manual_seed(51);
        using var flow = new DecoupledFlowPrior(2, hiddenSize: 8, normalizePosterior: true);
        using var plain = new DecoupledFlowPrior(2, hiddenSize: 8);
        plain.load_state_dict(flow.state_dict().Where(kv => !kv.Key.StartsWith("normalization")).ToDictionary(kv => kv.Key, kv => kv.Value));
        using var scope = torch.NewDisposeScope();
        var z = torch.randn([200, 2]) * 5 + 30;
        flow.Normalization!.Observe(z);
        var (z0, logDet) = flow.ToGenerationSpace(z);
        var back = flow.FromGenerationSpace(z0);
        Assert.IsTrue(back.allclose(z, rtol: 1e-4, atol: 1e-3), "g⁻¹(g(z)) = z");
        // g = blocks ∘ normalization: the blocks' log-determinant plus −Σ log std.
        var (normalized, normLogDet) = flow.Normalization.Normalize(z);
        var (z0Plain, blocksLogDet) = plain.ToGenerationSpace(normalized);
        Assert.IsTrue(z0.allclose(z0Plain, rtol: 1e-5, atol: 1e-5));
        Assert.IsTrue(logDet.allclose(blocksLogDet + normLogDet, rtol: 1e-5, atol: 1e-5));
        Assert.AreEqual(-flow.Normalization.LogStd.Sum(), normLogDet[0].ToDouble(), 1e-5);
        // The normalized latents are standardized.
        Assert.AreEqual(0, normalized.mean([0])[1].ToDouble(), 1e-4);
        Assert.AreEqual(1, normalized.std(0)[1].ToDouble(), 1e-4);
    }

    [TestMethod]
    public void TrainingUpdatesTheNormalizationAndTheModelFileKeepsIt()
    {
        var options = new DpVaeOptions
        {
            Regularizer = Regularizer.BetaTc, DecoupledPrior = true, PosteriorNormalization = true, LatentDim = 2, SampleShape = [3],
            MlpHiddenSizes = [8], FlowHidden = 8, BatchSize = 16, DatasetSize = 100, LearningRate = 1e-3,
        };
        torch.manual_seed(52);
        var path = Path.Combine(Path.GetTempPath(), $"postnorm-{Guid.NewGuid():N}.zip");
        try
        {
            double[] mean;
            using (var model = new DpVae(options))
            using (var program = DpVaeTraining.CreateProgram(model))
            {
                for (long step = 1; step <= 3; step++)
                {
                    using var scope = torch.NewDisposeScope();
                    Tensor Draw() => torch.randn([16, 3]) + 4;
                    program.Step(Draw(), step, Draw);
                }
                Assert.AreEqual(3, model.Flow!.Normalization!.Updates);
                mean = model.Flow.Normalization.Mean;
                Assert.AreNotEqual(0, mean[0]);
                ModelStore.Save(model, path);
            }
            using var loaded = (DpVae)ModelStore.Load(path);
            Assert.IsTrue(loaded.Options.PosteriorNormalization);
            CollectionAssert.AreEqual(mean, loaded.Flow!.Normalization!.Mean);
            Assert.AreEqual(3, loaded.Flow.Normalization.Updates);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void WithoutTheOptionTheFlowHasNoNormalizationAndTheFileNoEntry()
    {
        using var model = new DpVae(new DpVaeOptions { DecoupledPrior = true, SampleShape = [3], MlpHiddenSizes = [8], FlowHidden = 8 });
        Assert.IsNull(model.Flow!.Normalization);
        Assert.IsFalse(model.state_dict().Keys.Any(k => k.Contains("normalization")));
    }
}
