using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Evaluation;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class FlowFitTests : MetricTestBase
{
    [TestMethod]
    public void FittedIdentityFlowIsNotReported()
    {
        // Encodings ~ N(0, I), identity flow, prior draws ~ N(0, I): the prior covers the posterior.
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(31);
        var z = torch.randn([5000, 2]);
        var draws = torch.randn([5000, 2]);
        var r = FlowFit.Assess(z, z, draws);
        Assert.IsFalse(r.IsPoorFit, r.Verdict);
        Assert.AreEqual(0, r.MappedMean![0], 0.05);
        Assert.AreEqual(1, r.MappedStd![1], 0.05);
        Assert.AreEqual(0, r.GaussianKl!.Value, 0.01);
        Assert.IsLessThan(0.1, r.FarShare, $"far share {r.FarShare}");
        StringAssert.StartsWith(r.Verdict, "The prior covers");
    }

    [TestMethod]
    public void FlowThatCannotReachShiftedEncodingsIsReported()
    {
        // Encodings centred at (20, 15) as after the drift the flow cannot follow; the (identity) flow maps them
        // to the same place and the prior's draws stay around the origin.
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(32);
        var z = torch.randn([5000, 2]) + torch.tensor(new float[] { 20, 15 }, 1, 2);
        var draws = torch.randn([5000, 2]);
        var r = FlowFit.Assess(z, z, draws);
        Assert.IsTrue(r.IsPoorFit);
        Assert.AreEqual(20, r.MappedMean![0], 0.1);
        // KL(N(m, I) ‖ N(0, I)) = ½‖m‖² = 312.5.
        Assert.AreEqual(312.5, r.GaussianKl!.Value, 5);
        Assert.AreEqual(1.0, r.FarShare, 1e-12);
        StringAssert.StartsWith(r.Verdict, "Poor fit");
        StringAssert.Contains(r.Verdict, "100%");
    }

    [TestMethod]
    public void SqueezedMappedPosteriorIsReportedByItsMoments()
    {
        // The case: a flow that maps the aggregate posterior to mean (0.93, 0.67), std (0.33, 0.69).
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(33);
        var mapped = torch.randn([5000, 2]) * torch.tensor(new float[] { 0.33f, 0.69f }, 1, 2) + torch.tensor(new float[] { 0.93f, 0.67f }, 1, 2);
        var z = torch.randn([5000, 2]);
        var r = FlowFit.Assess(mapped, z, torch.randn([5000, 2]));
        // ½(0.33² + 0.69² + 0.93² + 0.67² − 2 − ln(0.33²·0.69²)) = 1.41.
        Assert.AreEqual(1.41, r.GaussianKl!.Value, 0.05);
        Assert.IsTrue(r.IsPoorFit);
        StringAssert.Contains(r.Verdict, "KL");
    }

    [TestMethod]
    public void FarShareCountsDrawsBeyondTheMultipleOfTheMedianSpacing()
    {
        // 1-D encodings at 0, 1, 2, 3: every nearest spacing is 1. Draws at 0.5, 2.9 (near), 5.5 (2.5 away, far
        // with multiple 2) and −10 (far): half of them are far.
        using var scope = torch.NewDisposeScope();
        var z = torch.tensor(new float[] { 0, 1, 2, 3 }, 4, 1);
        var draws = torch.tensor(new float[] { 0.5f, 2.9f, 5.5f, -10 }, 4, 1);
        var r = FlowFit.Assess(null, z, draws, new FlowFitOptions { SpacingMultiple = 2 });
        Assert.AreEqual(1.0, r.TypicalSpacing, 1e-12);
        Assert.AreEqual(2.0, r.FarDistance, 1e-12);
        Assert.AreEqual(0.5, r.FarShare, 1e-12);
        Assert.IsNull(r.GaussianKl);
        Assert.IsTrue(r.IsPoorFit, "half the draws are far (limit a third)");
    }

    [TestMethod]
    public void ModelLevelDiagnosticsSeparateAFittedFromAShiftedPosterior()
    {
        using var data = Gaussian(3000, 34);
        // Posterior N(0.8x, 0.36 I) of x ~ N(0, I): the aggregate posterior is N(0, I), the prior.
        var fitted = new MetricTestModel(2, [2], x => (x * 0.8, torch.full_like(x, Math.Log(0.36))), z => z.clone());
        var good = FlowFit.Compute(fitted, data, new FlowFitOptions { Samples = 3000 }, seed: 1);
        Assert.IsFalse(good.IsPoorFit, good.Verdict);
        // The same posterior shifted by 30 in z1, with an N(0, I) prior.
        var shifted = new MetricTestModel(2, [2],
            x => (x * 0.8 + torch.tensor(new float[] { 0, 30 }, 1, 2), torch.full_like(x, Math.Log(0.36))), z => z.clone());
        var bad = FlowFit.Compute(shifted, data, new FlowFitOptions { Samples = 3000 }, seed: 1);
        Assert.IsTrue(bad.IsPoorFit);
        Assert.AreEqual(30, bad.MappedMean![1], 0.2);
        Assert.IsGreaterThan(0.99, bad.FarShare);
        Assert.IsFalse(shifted.Training, "metrics run in evaluation mode");
    }

    [TestMethod]
    public void InvalidInputsGiveClearErrors()
    {
        using var scope = torch.NewDisposeScope();
        var z = torch.randn([10, 2]);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FlowFit.Assess(null, z, torch.randn([10, 3]))).Message, "[m, 2]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FlowFit.Assess(null, torch.randn([1, 2]), z)).Message, "n ≥ 2");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => FlowFit.Assess(null, z, z, new FlowFitOptions { SpacingMultiple = 0 })).Message, "SpacingMultiple");
    }

    [TestMethod]
    public void CentreReachOfTheDefaultFlowIsOnePlusEPlusESquared()
    {
        using var flow = new DecoupledFlowPrior(2);
        var reach = flow.CentreReach();
        double expected = 1 + Math.E + Math.E * Math.E;
        Assert.AreEqual(expected, reach[0], 1e-12);
        Assert.AreEqual(expected, reach[1], 1e-12);
        // And g⁻¹(0) indeed stays inside it, whatever the weights: push every shift and scale to its bound.
        using (torch.no_grad())
            foreach (var p in flow.parameters()) p.fill_(5);
        using var scope = torch.NewDisposeScope();
        var centre = flow.FromGenerationSpace(torch.zeros([1, 2])).data<float>().ToArray();
        Assert.IsLessThan(expected, Math.Abs(centre[0]));
        Assert.IsGreaterThan(0.95 * expected, Math.Abs(centre[0]), "the bound is tight");
    }

    [TestMethod]
    public void ReachCheckNamesTheCoordinatesBeyondReach()
    {
        Assert.IsNull(FlowReach.Check([3, -10], [11.1, 11.1]));
        Assert.IsNull(FlowReach.Check([double.NaN, 3], [11.1, 11.1]), "a NaN centre is the NaN guard's to report");
        var warning = FlowReach.Check([22, 5], [11.1, 11.1]);
        Assert.IsNotNull(warning);
        StringAssert.Contains(warning, "z0 = 22 (reach ±11.1)");
        Assert.IsFalse(warning.Contains("z1"), warning);
    }

    [TestMethod]
    public void TrainingWarnsOnceWhenThePosteriorLeavesTheFlowsReach()
    {
        var far = TrainAndCollectMessages(centre: 50);
        Assert.AreEqual(1, far.Count(m => m.Contains("range the decoupled prior's flow can reach")), string.Join("\n", far));
        var near = TrainAndCollectMessages(centre: 0);
        Assert.IsFalse(near.Any(m => m.Contains("reach")), string.Join("\n", near));
    }

    private static List<string> TrainAndCollectMessages(float centre)
    {
        var options = new DpVaeOptions
        {
            Regularizer = Regularizer.Vae,
            DecoupledPrior = true,
            LatentDim = 2,
            SampleShape = [2],
            FlowHidden = 8,
            LearningRate = 1e-5,
            BatchSize = 32,
        };
        torch.manual_seed(35);
        // An encoder whose posterior mean is the constant (centre, centre): zero weights, the centre as bias.
        var encoder = nn.Linear(2, 4);
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            encoder.weight!.zero_();
            encoder.bias!.copy_(torch.tensor(new float[] { centre, centre, 0, 0 }));
        }
        using var model = new DpVae(options, encoder, nn.Linear(2, 2));
        using var program = DpVaeTraining.CreateProgram(model);
        var source = new SamplerBatchSource(ToyDatasets.Create("8gaussians"), 32, torch.CPU);
        var messages = new List<string>();
        new Trainer(program, new TrainerOptions { Iterations = 60, LogInterval = 30, Seed = 1 })
            .Train(source, new Collect(messages));
        return messages;
    }

    private sealed class Collect(List<string> messages) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Message is not null) messages.Add(value.Message);
        }
    }

    private static Tensor Gaussian(long n, long seed)
    {
        torch.manual_seed(seed);
        return torch.randn([n, 2]);
    }
}
