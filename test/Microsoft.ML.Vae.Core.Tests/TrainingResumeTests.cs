using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Persistence.SafeTensors;
using Microsoft.ML.Vae.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// Exact resume: N steps in one go must equal k steps, a stop, fresh objects, a resume and the
/// remaining steps — bit for bit, in parameters and in every logged loss value.
/// </summary>
[TestClass]
public sealed class TrainingResumeTests
{
    private const int Total = 30;

    [TestMethod]
    [DataRow("dataset", 12, false)]
    [DataRow("sampler", 12, false)]
    [DataRow("dataset", 13, false)]
    [DataRow("dataset", 13, true)]
    public void StoppingAndResumingIsBitIdentical(string source, int stopAt, bool torchSharpAdam)
    {
        long baseline = LiveTensors.Count;
        using var folder = new TrainingTestFolder();
        var straight = Run(source, Total, dir: null, resume: false, torchSharpAdam: torchSharpAdam);

        var first = Run(source, stopAt, folder.Path, resume: false, torchSharpAdam: torchSharpAdam);
        Assert.AreEqual(stopAt, first.Result.FinalStep);
        var resumed = Run(source, Total, folder.Path, resume: true, torchSharpAdam: torchSharpAdam);

        Assert.AreEqual(Total, resumed.Result.FinalStep);
        CollectionAssert.AreEqual(new long[] { stopAt }, resumed.ResumedAt);
        CollectionAssert.AreEqual(straight.Parameters, resumed.Parameters, "parameters differ after resuming");
        AssertSameTerms(straight.Result.FinalTerms, resumed.Result.FinalTerms);
        AssertSameHistory(straight.Result.History, resumed.Result.History, except: stopAt);
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void CancellingWritesACheckpointThatResumesExactly()
    {
        long baseline = LiveTensors.Count;
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
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    /// <summary>
    /// A FIFO named like the newest checkpoint (a stray pipe in the run folder) is refused without being opened
    /// (opening it would block forever) and the resume falls back to the real checkpoint before it.
    /// </summary>
    [TestMethod]
    public void AFifoNamedLikeTheNewestCheckpointIsSkippedNotOpened()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("mkfifo is a Unix call.");
        using var folder = new TrainingTestFolder();
        var straight = Run("dataset", Total, dir: null, resume: false);
        Run("dataset", 12, folder.Path, resume: false);
        Assert.AreEqual(0, UnixFiles.MakeFifo(Path.Combine(folder.Path, CheckpointFile.FileName(20))), "mkfifo failed");

        var resume = Task.Run(() => Run("dataset", Total, folder.Path, resume: true));
        Assert.IsTrue(resume.Wait(TimeSpan.FromSeconds(60)), "resuming blocked on the FIFO");
        CollectionAssert.AreEqual(new long[] { 12 }, resume.Result.ResumedAt);
        CollectionAssert.AreEqual(straight.Parameters, resume.Result.Parameters);
    }

    /// <summary>
    /// A version-1 checkpoint (written by the library's former binding: one Adam step count per
    /// optimizer in the metadata, no per-parameter step tensors, a CUDA generator entry) still resumes
    /// exactly. It is made here from a current one by rewriting it in that layout.
    /// </summary>
    [TestMethod]
    public void AVersion1CheckpointResumesExactly()
    {
        using var folder = new TrainingTestFolder();
        var straight = Run("dataset", Total, dir: null, resume: false);
        Run("dataset", 20, folder.Path, resume: false);
        var path = Path.Combine(folder.Path, CheckpointFile.FileName(20));
        var file = SafeTensorsFormat.ReadFile(path);
        var meta = new Dictionary<string, string>(file.Metadata) { ["version"] = "1", ["rng.cuda.device"] = "0" };
        Assert.AreEqual("20", meta["optim.adam.step_count"]);
        var entries = file.Entries.Values.Where(e => !e.Name.EndsWith(".step", StringComparison.Ordinal)).ToList();
        Assert.AreEqual(file.Entries.Count - 4, entries.Count, "one step tensor per parameter of the test network");
        entries.Add(new SafeTensorEntry("rng.cuda", ScalarType.Byte, [16], new byte[16]));
        File.WriteAllBytes(path, SafeTensorsFormat.Serialize(entries, meta));
        CheckpointFile.List(folder.Path).Where(c => c.Step != 20).ToList().ForEach(c => File.Delete(c.Path));

        var resumed = Run("dataset", Total, folder.Path, resume: true);
        CollectionAssert.AreEqual(new long[] { 20 }, resumed.ResumedAt);
        CollectionAssert.AreEqual(straight.Parameters, resumed.Parameters);
        AssertSameTerms(straight.Result.FinalTerms, resumed.Result.FinalTerms);

        // Without the metadata count a version-1 file cannot say where Adam's bias correction stands.
        meta.Remove("optim.adam.step_count");
        File.WriteAllBytes(path, SafeTensorsFormat.Serialize(entries, meta));
        foreach (var (_, p) in CheckpointFile.List(folder.Path).Where(c => c.Step != 20)) File.Delete(p);
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => Run("dataset", Total, folder.Path, resume: true));
        StringAssert.Contains(ex.Message, "lacks the 'optim.adam.step_count' metadata entry");
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

    [TestMethod]
    public void ResumingWithFewerIterationsThanFinishedIsAnError()
    {
        // It used to return the finished state as if the shorter run had been done.
        long baseline = LiveTensors.Count;
        using var folder = new TrainingTestFolder();
        Run("dataset", 10, folder.Path, resume: false);
        var ex = Assert.ThrowsExactly<InvalidOperationException>(() => Run("dataset", 5, folder.Path, resume: true));
        StringAssert.Contains(ex.Message, "already finished 10 steps");
        StringAssert.Contains(ex.Message, "5 iterations");
        Assert.IsNotNull(CheckpointFile.FindLatest(folder.Path), "the checkpoint must survive the refused resume");
        GC.Collect();
        GC.WaitForPendingFinalizers();
        Assert.AreEqual(baseline, LiveTensors.Count, "tensors leaked");
    }

    [TestMethod]
    public void CheckpointsCarryTheRunSettings()
    {
        using var folder = new TrainingTestFolder();
        var settings = new Dictionary<string, string> { ["lr"] = "0.001", ["model"] = "vae", ["odd \"key\""] = "ünïcode, \n new line" };
        Run("dataset", 10, folder.Path, resume: false, runSettings: settings);
        var read = CheckpointFile.ReadRunSettings(CheckpointFile.FindLatest(folder.Path)!);
        Assert.IsNotNull(read);
        CollectionAssert.AreEquivalent(settings.ToList(), read.ToList());

        using var other = new TrainingTestFolder();
        Run("dataset", 10, other.Path, resume: false);
        Assert.IsNull(CheckpointFile.ReadRunSettings(CheckpointFile.FindLatest(other.Path)!), "no settings given, none stored");
    }

    private sealed record Outcome(TrainingResult Result, float[] Parameters, long[] ResumedAt);

    private static Outcome Run(string source, long iterations, string? dir, bool resume, bool secondBatch = false,
        IProgress<TrainingProgress>? progress = null, CancellationToken token = default, bool torchSharpAdam = false,
        IReadOnlyDictionary<string, string>? runSettings = null)
    {
        // Fresh objects every time, initialized from a fixed seed as a new process would be.
        torch.manual_seed(1234);
        int dim = source == "sampler" ? 2 : 4;
        using var program = new TrainingTestProgram(dim, useSecondBatch: secondBatch, torchSharpAdam: torchSharpAdam);
        var options = new TrainerOptions
        {
            Iterations = iterations,
            LogInterval = 5,
            CheckpointInterval = 10,
            CheckpointDirectory = dir,
            Resume = resume,
            Seed = 7,
            RunSettings = runSettings,
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
        return torch.tensor(values, new long[] { 44, 4 });
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
