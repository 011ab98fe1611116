using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Core.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>The NaN/Inf guard: exact step and term in the error, and rollback with lowered learning rates.</summary>
[TestClass]
public sealed class TrainingGuardTests
{
    [TestMethod]
    [DataRow(1, 7)]
    [DataRow(5, 7)]
    [DataRow(100, 7)]
    [DataRow(5, 10)]
    public void NaNTermIsReportedWithItsExactStep(int logInterval, int badStep)
    {
        long baseline = LiveTensors.Count;
        using (var program = NewProgram())
        {
            program.Poison = (step, _) => step == badStep ? double.NaN : null;
            var trainer = new Trainer(program, new TrainerOptions { Iterations = 20, LogInterval = logInterval });
            var ex = Assert.ThrowsExactly<TrainingDivergedException>(() => trainer.Train(Source()));
            Assert.AreEqual($"Loss term 'activity' became NaN at step {badStep}.", ex.Message);
            Assert.AreEqual("activity", ex.Term);
            Assert.AreEqual(badStep, ex.Step);
        }
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void InfiniteTermIsReported()
    {
        using var program = NewProgram();
        program.Poison = (step, _) => step == 3 ? double.PositiveInfinity : null;
        var trainer = new Trainer(program, new TrainerOptions { Iterations = 10, LogInterval = 4 });
        var ex = Assert.ThrowsExactly<TrainingDivergedException>(() => trainer.Train(Source()));
        Assert.AreEqual("Loss term 'activity' became +Infinity at step 3.", ex.Message);
    }

    [TestMethod]
    public void RollbackLowersTheLearningRateAndFinishes()
    {
        long baseline = LiveTensors.Count;
        using (var program = NewProgram(schedule: false))
        {
            // Diverges at step 13 while the rate is the initial one; a halved rate trains on.
            program.Poison = (step, lr) => step == 13 && lr > 0.009 ? double.NaN : null;
            var messages = new List<string>();
            var progress = new TrainingTestProgress(p => { if (p.Message is not null) messages.Add(p.Message); });
            var trainer = new Trainer(program, new TrainerOptions
            {
                Iterations = 20, LogInterval = 5, CheckpointInterval = 10, NanPolicy = NanPolicy.RollbackAndLowerLr,
            });
            var result = trainer.Train(Source(), progress);

            Assert.AreEqual(20, result.FinalStep);
            Assert.AreEqual(1, result.Rollbacks);
            Assert.AreEqual(0.005, program.Adam.GetLearningRate(), 1e-15);
            Assert.IsTrue(program.ParameterValues().All(float.IsFinite));
            CollectionAssert.AreEqual(new long[] { 5, 10, 15, 20 }, result.History.Rows.Select(r => r.Step).ToArray());
            Assert.IsTrue(result.History.Rows.All(r => r.Values.Values.All(double.IsFinite)));
            CollectionAssert.AreEqual(new long[] { 10 }, program.ResumedAt);
            Assert.IsTrue(messages.Any(m => m.Contains("rolled back to step 10", StringComparison.Ordinal)), string.Join("\n", messages));
        }
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void RollbackKeepsTheScheduleAndScalesIt()
    {
        using var program = NewProgram(schedule: true);
        program.Poison = (step, lr) => step == 8 && lr > 0.006 ? double.NaN : null;
        var trainer = new Trainer(program, new TrainerOptions
        {
            Iterations = 12, LogInterval = 4, CheckpointInterval = 4, NanPolicy = NanPolicy.RollbackAndLowerLr, LrFactor = 0.5,
        });
        var result = trainer.Train(Source());
        Assert.AreEqual(1, result.Rollbacks);
        // ExponentialLR(0.99) after 12 steps, times the rollback factor.
        Assert.AreEqual(0.01 * Math.Pow(0.99, 12) * 0.5, program.Adam.GetLearningRate(), 1e-15);
    }

    [TestMethod]
    public void RollbacksAreLimited()
    {
        using var program = NewProgram(schedule: false);
        program.Poison = (step, _) => step == 6 ? double.NaN : null; // diverges whatever the rate
        var trainer = new Trainer(program, new TrainerOptions
        {
            Iterations = 10, LogInterval = 2, CheckpointInterval = 4, NanPolicy = NanPolicy.RollbackAndLowerLr, MaxRollbacks = 2,
        });
        var ex = Assert.ThrowsExactly<TrainingDivergedException>(() => trainer.Train(Source()));
        StringAssert.StartsWith(ex.Message, "Loss term 'activity' became NaN at step 6.");
        StringAssert.Contains(ex.Message, "Gave up after 2 rollback(s)");
        Assert.AreEqual(0.01 * 0.25, program.Adam.GetLearningRate(), 1e-15);
    }

    [TestMethod]
    public void NonScalarTermIsAClearError()
    {
        using var program = new NonScalarProgram();
        var trainer = new Trainer(program, new TrainerOptions { Iterations = 3, LogInterval = 1 });
        var ex = Assert.ThrowsExactly<ArgumentException>(() => trainer.Train(Source()));
        StringAssert.Contains(ex.Message, "Loss term 'vector' has 3 elements");
    }

    private static TrainingTestProgram NewProgram(bool schedule = true)
    {
        torch.manual_seed(99);
        return new TrainingTestProgram(2, schedule: schedule);
    }

    private static SamplerBatchSource Source() => new(ToyDatasets.Create("moons"), 16);

    /// <summary>A program that returns a vector as a term.</summary>
    private sealed class NonScalarProgram : ITrainingProgram
    {
        private readonly TrainingTestProgram _inner = new(2);
        public IReadOnlyList<(string Name, nn.Module Module)> Modules => _inner.Modules;
        public IReadOnlyList<(string Name, optim.Optimizer Optimizer)> Optimizers => _inner.Optimizers;
        public LossTerms Step(Tensor batch, long step, Func<Tensor> nextBatch) =>
            new LossTerms(batch.mean()).Add("vector", torch.zeros(3));
        public void Dispose() => _inner.Dispose();
    }
}
