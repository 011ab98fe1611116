using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// Exact resume: N steps in one go must equal k steps, a stop, fresh objects, a resume and the
/// remaining steps — bit for bit, in parameters and in every logged loss value.
/// </summary>
[TestClass]
public sealed class TrainingResumeTests
{
    private const int Total = 30;

    [TestMethod]
    [DataRow("dataset", 12)]
    [DataRow("sampler", 12)]
    [DataRow("dataset", 13)]
    public void StoppingAndResumingIsBitIdentical(string source, int stopAt)
    {
        long baseline = Tensor.LiveCount;
        using var folder = new TrainingTestFolder();
        var straight = Run(source, Total, dir: null, resume: false);

        var first = Run(source, stopAt, folder.Path, resume: false);
        Assert.AreEqual(stopAt, first.Result.FinalStep);
        var resumed = Run(source, Total, folder.Path, resume: true);

        Assert.AreEqual(Total, resumed.Result.FinalStep);
        CollectionAssert.AreEqual(new long[] { stopAt }, resumed.ResumedAt);
        CollectionAssert.AreEqual(straight.Parameters, resumed.Parameters, "parameters differ after resuming");
        AssertSameTerms(straight.Result.FinalTerms, resumed.Result.FinalTerms);
        AssertSameHistory(straight.Result.History, resumed.Result.History, except: stopAt);
        Assert.AreEqual(baseline, Tensor.LiveCount);
    }

    [TestMethod]
    public void CancellingWritesACheckpointThatResumesExactly()
    {
        long baseline = Tensor.LiveCount;
        using var folder = new TrainingTestFolder();
        var straight = Run("dataset", Total, dir: null, resume: false, secondBatch: true);

        using var cts = new CancellationTokenSource();
        // Reports come at log points (every 5 steps); cancelling at step 15 stops before step 16.
        var progress = new TrainingTestProgress(p => { if (p.Step == 15 && p.Message is null) cts.Cancel(); });
        var first = Run("dataset", Total, folder.Path, resume: false, secondBatch: true, progress: progress, token: cts.Token);
        Assert.IsTrue(first.Result.Cancelled);
        Assert.AreEqual(15, first.Result.FinalStep);
        Assert.IsNotNull(first.Result.CheckpointPath);
        Assert.AreEqual(15, CheckpointFile.ReadStep(first.Result.CheckpointPath));

        var resumed = Run("dataset", Total, folder.Path, resume: true, secondBatch: true);
        Assert.IsFalse(resumed.Result.Cancelled);
        CollectionAssert.AreEqual(straight.Parameters, resumed.Parameters);
        AssertSameHistory(straight.Result.History, resumed.Result.History, except: -1);
        Assert.AreEqual(baseline, Tensor.LiveCount);
    }

    [TestMethod]
    public void ResumingACompletedRunDoesNoMoreSteps()
    {
        using var folder = new TrainingTestFolder();
        var done = Run("dataset", 10, folder.Path, resume: false);
        var again = Run("dataset", 10, folder.Path, resume: true);
        Assert.AreEqual(10, again.Result.FinalStep);
        CollectionAssert.AreEqual(done.Parameters, again.Parameters);
        AssertSameTerms(done.Result.FinalTerms, again.Result.FinalTerms);
        Assert.AreEqual(done.Result.CheckpointPath, again.Result.CheckpointPath);
    }

    private sealed record Outcome(TrainingResult Result, float[] Parameters, long[] ResumedAt);

    private static Outcome Run(string source, long iterations, string? dir, bool resume, bool secondBatch = false,
        IProgress<TrainingProgress>? progress = null, CancellationToken token = default)
    {
        // Fresh objects every time, initialized from a fixed seed as a new process would be.
        Torch.ManualSeed(1234);
        int dim = source == "sampler" ? 2 : 4;
        using var program = new TrainingTestProgram(dim, useSecondBatch: secondBatch);
        var options = new TrainerOptions
        {
            Iterations = iterations,
            LogInterval = 5,
            CheckpointInterval = 10,
            CheckpointDirectory = dir,
            Resume = resume,
            Seed = 7,
        };
        TrainingResult result;
        if (source == "sampler")
        {
            var data = new SamplerBatchSource(ToyDatasets.Create("8gaussians"), 16);
            result = new Trainer(program, options).Train(data, progress, token);
        }
        else
        {
            using var dataset = new TensorDataset(MakeFeatures());
            using var data = new DatasetBatchSource(dataset, batchSize: 8, seed: 3);
            result = new Trainer(program, options).Train(data, progress, token);
        }
        return new Outcome(result, program.ParameterValues(), program.ResumedAt.ToArray());
    }

    private static Tensor MakeFeatures()
    {
        // 44 samples in batches of 8 with dropLast: 5 batches per epoch, so 30 steps cross 6 epochs.
        var values = new float[44 * 4];
        var rng = new Random(5);
        for (int i = 0; i < values.Length; i++) values[i] = (float)(rng.NextDouble() * 2 - 1);
        return Tensor.From(values, 44, 4);
    }

    private static void AssertSameTerms(IReadOnlyDictionary<string, double> expected, IReadOnlyDictionary<string, double> actual)
    {
        CollectionAssert.AreEquivalent(expected.Keys.ToList(), actual.Keys.ToList());
        foreach (var (k, v) in expected) Assert.AreEqual(v, actual[k], 0.0, $"term '{k}'");
    }

    private static void AssertSameHistory(TrainingHistory expected, TrainingHistory actual, long except)
    {
        // A stop at a step that is not a log point adds that step's row to the interrupted run only.
        var rows = actual.Rows.Where(r => r.Step != except || expected.Rows.Any(e => e.Step == except)).ToList();
        Assert.AreEqual(expected.Rows.Count, rows.Count, "history rows");
        for (int i = 0; i < rows.Count; i++)
        {
            Assert.AreEqual(expected.Rows[i].Step, rows[i].Step);
            AssertSameTerms(expected.Rows[i].Values, rows[i].Values);
        }
    }
}
