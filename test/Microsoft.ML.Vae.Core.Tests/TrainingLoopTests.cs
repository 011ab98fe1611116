using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Core.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>The trainer's loop: logging, progress, schedules, evaluation, checkpoint files, option checks.</summary>
[TestClass]
public sealed class TrainingLoopTests
{
    [TestMethod]
    public void LogsEveryIntervalAndTheLastStep()
    {
        long baseline = LiveTensors.Count;
        using (var program = NewProgram())
        {
            var progress = new TrainingTestProgress(_ => { });
            var result = new Trainer(program, new TrainerOptions { Iterations = 23, LogInterval = 5 }).Train(Source(), progress);

            CollectionAssert.AreEqual(new long[] { 5, 10, 15, 20, 23 }, result.History.Rows.Select(r => r.Step).ToArray());
            CollectionAssert.AreEqual(new[] { "loss", "mse", "activity" }, result.History.Columns.ToArray());
            var logs = progress.Reports.Where(p => p.Message is null).ToList();
            CollectionAssert.AreEqual(new long[] { 5, 10, 15, 20, 23 }, logs.Select(p => p.Step).ToArray());
            Assert.IsTrue(logs.All(p => p.TotalSteps == 23 && p.StepsPerSecond > 0 && p.LearningRates.ContainsKey("adam")));
            Assert.AreEqual(23, result.FinalStep);
            Assert.IsFalse(result.Cancelled);
            Assert.IsNull(result.CheckpointPath);
            // The total is the sum of the terms at every logged step.
            foreach (var r in result.History.Rows)
                Assert.AreEqual(r.Values["mse"] + r.Values["activity"], r.Values["loss"], 1e-6);
            Assert.AreEqual(result.History.Rows[^1].Values["loss"], result.FinalTerms["loss"]);
            Assert.IsTrue(program.TrainingModeSeen.All(t => t));
        }
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void SchedulersStepOncePerIteration()
    {
        using var program = NewProgram();
        new Trainer(program, new TrainerOptions { Iterations = 17, LogInterval = 4 }).Train(Source());
        Assert.AreEqual(17, program.Schedulers[0].LastStep);
        Assert.AreEqual(0.01 * Math.Pow(0.99, 17), program.Adam.GetLearningRate(), 1e-15);
        Assert.AreEqual(17, OptimizerCheckpoint.StepCount(program.Adam));
    }

    [TestMethod]
    public void SameSeedGivesTheSameRunAndAnotherSeedDoesNot()
    {
        float[] Train(long seed)
        {
            using var program = NewProgram();
            new Trainer(program, new TrainerOptions { Iterations = 8, LogInterval = 4, Seed = seed }).Train(Source());
            return program.ParameterValues();
        }
        CollectionAssert.AreEqual(Train(1), Train(1));
        CollectionAssert.AreNotEqual(Train(1), Train(2));
    }

    [TestMethod]
    public void EvaluationRunsInEvalModeAndDoesNotChangeTraining()
    {
        float[] withoutEval;
        using (var plain = NewProgram())
        {
            new Trainer(plain, new TrainerOptions { Iterations = 12, LogInterval = 4 }).Train(Source());
            withoutEval = plain.ParameterValues();
        }

        using var program = NewProgram();
        var calls = new List<(long Step, bool Training, bool Grad)>();
        var options = new TrainerOptions
        {
            Iterations = 12,
            LogInterval = 4,
            EvaluationInterval = 6,
            Evaluate = step =>
            {
                calls.Add((step, program.Network.training, torch.is_grad_enabled()));
                using var noise = torch.randn(100); // consumes randomness that training must not see
                return new Dictionary<string, double> { ["score"] = step * 2 };
            },
        };
        var progress = new TrainingTestProgress(_ => { });
        var result = new Trainer(program, options).Train(Source(), progress);

        CollectionAssert.AreEqual(new[] { (6L, false, false), (12L, false, false) }, calls);
        Assert.IsTrue(program.Network.training);
        CollectionAssert.AreEqual(withoutEval, program.ParameterValues());
        Assert.AreEqual(24.0, result.History.Rows.Single(r => r.Step == 12).Values["score"]);
        Assert.IsTrue(result.History.Rows.Single(r => r.Step == 12).Values.ContainsKey("loss"), "log and evaluation share the row");
        Assert.AreEqual(12.0, result.History.Rows.Single(r => r.Step == 6).Values["score"]);
        Assert.AreEqual(2, progress.Reports.Count(p => p.IsEvaluation));
    }

    [TestMethod]
    public void CheckpointsAreWrittenPrunedAndLeaveNoTemporaryFiles()
    {
        using var folder = new TrainingTestFolder();
        using var program = NewProgram();
        var result = new Trainer(program, new TrainerOptions
        {
            Iterations = 25, LogInterval = 5, CheckpointInterval = 5, CheckpointDirectory = folder.Path, KeepCheckpoints = 2,
        }).Train(Source());

        var files = Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order().ToArray();
        CollectionAssert.AreEqual(new[] { CheckpointFile.FileName(20), CheckpointFile.FileName(25) }, files);
        Assert.AreEqual(Path.Combine(folder.Path, CheckpointFile.FileName(25)), result.CheckpointPath);
        Assert.AreEqual(25, CheckpointFile.ReadStep(result.CheckpointPath!));
        var history = CheckpointFile.ReadHistory(result.CheckpointPath!);
        CollectionAssert.AreEqual(new long[] { 5, 10, 15, 20, 25 }, history.Rows.Select(r => r.Step).ToArray());
        Assert.AreEqual(result.CheckpointPath, CheckpointFile.FindLatest(folder.Path));
    }

    [TestMethod]
    public void CheckpointFilesListInStepOrder()
    {
        using var folder = new TrainingTestFolder();
        foreach (var step in new long[] { 100, 9, 1000 }) File.WriteAllBytes(Path.Combine(folder.Path, CheckpointFile.FileName(step)), []);
        File.WriteAllBytes(Path.Combine(folder.Path, "checkpoint-x.safetensors"), []);
        File.WriteAllBytes(Path.Combine(folder.Path, "notes.txt"), []);
        CollectionAssert.AreEqual(new long[] { 9, 100, 1000 }, CheckpointFile.List(folder.Path).Select(c => c.Step).ToArray());
        Assert.AreEqual(0, CheckpointFile.List(Path.Combine(folder.Path, "missing")).Count);
        Assert.IsNull(CheckpointFile.FindLatest(Path.Combine(folder.Path, "missing")));
    }

    [TestMethod]
    public void ResumeSkipsADamagedNewestCheckpoint()
    {
        using var folder = new TrainingTestFolder();
        var options = new TrainerOptions { Iterations = 10, LogInterval = 5, CheckpointInterval = 5, CheckpointDirectory = folder.Path };
        using (var program = NewProgram()) new Trainer(program, options).Train(Source());
        var newest = Path.Combine(folder.Path, CheckpointFile.FileName(10));
        var bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(newest, bytes.AsSpan(0, bytes.Length / 2).ToArray());

        using var resumed = NewProgram();
        var messages = new TrainingTestProgress(_ => { });
        options.Resume = true;
        options.Iterations = 12;
        var result = new Trainer(resumed, options).Train(Source(), messages);
        CollectionAssert.AreEqual(new long[] { 5 }, resumed.ResumedAt);
        Assert.AreEqual(12, result.FinalStep);
        Assert.IsTrue(messages.Reports.Any(p => p.Message?.StartsWith("Skipping checkpoint", StringComparison.Ordinal) == true));
    }

    [TestMethod]
    public void ResumeRejectsACheckpointOfAnotherArchitecture()
    {
        long baseline = LiveTensors.Count;
        using var folder = new TrainingTestFolder();
        var options = new TrainerOptions { Iterations = 4, LogInterval = 2, CheckpointDirectory = folder.Path };
        using (var program = NewProgram()) new Trainer(program, options).Train(Source());

        options.Resume = true;
        using (var wider = new TrainingTestProgram(2, hidden: 32))
        {
            var before = wider.ParameterValues();
            var ex = Assert.ThrowsExactly<InvalidDataException>(() => new Trainer(wider, options).Train(Source()));
            StringAssert.Contains(ex.Message, "'module.model.0.weight' has shape [16, 2], the program expects [32, 2]");
            CollectionAssert.AreEqual(before, wider.ParameterValues(), "a rejected checkpoint must change nothing");
        }
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void ResumeWithAnEmptyFolderStartsFresh()
    {
        using var folder = new TrainingTestFolder();
        using var program = NewProgram();
        var result = new Trainer(program, new TrainerOptions { Iterations = 3, LogInterval = 1, CheckpointDirectory = folder.Path, Resume = true }).Train(Source());
        Assert.AreEqual(3, result.FinalStep);
        Assert.AreEqual(0, program.ResumedAt.Count);
    }

    [TestMethod]
    public void AFreshRunRemovesCheckpointsOfAnEarlierRun()
    {
        using var folder = new TrainingTestFolder();
        using (var program = NewProgram())
            new Trainer(program, new TrainerOptions { Iterations = 50, LogInterval = 25, CheckpointDirectory = folder.Path }).Train(Source());
        var messages = new TrainingTestProgress(_ => { });
        using (var program = NewProgram())
            new Trainer(program, new TrainerOptions { Iterations = 4, LogInterval = 2, CheckpointDirectory = folder.Path }).Train(Source(), messages);
        CollectionAssert.AreEqual(new long[] { 4 }, CheckpointFile.List(folder.Path).Select(c => c.Step).ToArray());
        Assert.IsTrue(messages.Reports.Any(p => p.Message?.StartsWith("Removed 1 checkpoint(s) of an earlier run", StringComparison.Ordinal) == true));
    }

    [TestMethod]
    public void CancellationBeforeTheFirstStepReturnsAtOnce()
    {
        using var program = NewProgram();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var result = new Trainer(program, new TrainerOptions { Iterations = 3 }).Train(Source(), null, cts.Token);
        Assert.IsTrue(result.Cancelled);
        Assert.AreEqual(0, result.FinalStep);
        Assert.AreEqual(0, result.FinalTerms.Count);
    }

    [TestMethod]
    public void AnOptimizerThatCheckpointsCannotStoreIsRejectedAtConstruction()
    {
        using var program = new RmsPropProgram();
        var ex = Assert.ThrowsExactly<ArgumentException>(() => new Trainer(program, new TrainerOptions { Iterations = 3 }));
        StringAssert.Contains(ex.Message, "Optimizer 'rms'");
        StringAssert.Contains(ex.Message, "RMSProp");
        Assert.AreEqual("program", ex.ParamName);
    }

    /// <summary>A program whose optimizer checkpoints do not support.</summary>
    private sealed class RmsPropProgram : ITrainingProgram
    {
        private readonly TorchSharp.Modules.Linear _layer = nn.Linear(2, 2);
        private readonly optim.Optimizer _rms;

        public RmsPropProgram() => _rms = torch.optim.RMSProp(_layer.parameters());

        public IReadOnlyList<(string Name, nn.Module Module)> Modules => [("model", _layer)];
        public IReadOnlyList<(string Name, optim.Optimizer Optimizer)> Optimizers => [("rms", _rms)];
        public LossTerms Step(Tensor batch, long step, Func<Tensor> nextBatch) => throw new NotSupportedException();

        public void Dispose()
        {
            _rms.Dispose();
            _layer.Dispose();
        }
    }

    [TestMethod]
    [DataRow("Iterations")]
    [DataRow("LogInterval")]
    [DataRow("KeepCheckpoints")]
    [DataRow("LrFactor")]
    [DataRow("Evaluate")]
    [DataRow("Resume")]
    [DataRow("Threads")]
    public void InvalidOptionsAreRejected(string broken)
    {
        var o = new TrainerOptions();
        switch (broken)
        {
            case "Iterations": o.Iterations = 0; break;
            case "LogInterval": o.LogInterval = 0; break;
            case "KeepCheckpoints": o.KeepCheckpoints = 0; break;
            case "LrFactor": o.LrFactor = 1.5; break;
            case "Evaluate": o.EvaluationInterval = 10; break;
            case "Resume": o.Resume = true; break;
            case "Threads": o.Threads = 0; break;
        }
        using var program = NewProgram();
        var ex = Assert.ThrowsExactly<ArgumentException>(() => new Trainer(program, o));
        Assert.AreEqual(broken, ex.ParamName);
    }

    private static TrainingTestProgram NewProgram()
    {
        torch.manual_seed(5);
        return new TrainingTestProgram(2);
    }

    private static SamplerBatchSource Source() => new(ToyDatasets.Create("rings"), 16);
}
