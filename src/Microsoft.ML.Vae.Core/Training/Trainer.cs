using System.Diagnostics;
using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Training;

/// <summary>
/// The training loop shared by every model family. The <see cref="ITrainingProgram"/> supplies the
/// math of one step; the trainer supplies seeding, batches, learning-rate schedules, progress reports,
/// periodic evaluation, checkpoints with exact resume, the NaN/Inf guard and cancellation.
/// </summary>
/// <remarks>
/// Each step runs in its own dispose scope. The loss terms of every step are copied into a small
/// device-side window that is read back only at log, evaluation and checkpoint points (see
/// <see cref="TrainerOptions.LogInterval"/>), so the loop does not synchronize with a GPU per step
/// while still checking every step's total and terms for NaN/Inf with the exact step.
/// A checkpoint after k steps plus a resume reproduces the uninterrupted run bit for bit: it stores
/// modules, optimizer moments and counts, learning rates, scheduler positions, the CPU random
/// generator and the batch source's position. TorchSharp cannot read the CUDA generator's state, so
/// on a CUDA device the trainer reseeds that generator before every step from the seed and the step
/// number instead, which a resumed run repeats exactly.
/// </remarks>
public sealed class Trainer
{
    private const int MaxWindow = 1024;
    private readonly ITrainingProgram _program;
    private readonly TrainerOptions _options;

    /// <summary>Creates a trainer; the options are validated here.</summary>
    public Trainer(ITrainingProgram program, TrainerOptions options)
    {
        _program = program ?? throw new ArgumentNullException(nameof(program));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        options.Validate();
        CheckNames(program.Modules.Select(m => m.Name), "module");
        CheckNames(program.Optimizers.Select(o => o.Name), "optimizer");
        if (program.Optimizers.Count == 0) throw new ArgumentException("The training program has no optimizers.", nameof(program));
        foreach (var (name, optimizer) in program.Optimizers)
        {
            // Checkpoints and rollbacks need the optimizer's state: refuse kinds they cannot store now, not at the first checkpoint.
            try { _ = OptimizerCheckpoint.Entries(optimizer); }
            catch (NotSupportedException ex) { throw new ArgumentException($"Optimizer '{name}': {ex.Message}", nameof(program), ex); }
        }
        foreach (var s in program.Schedulers)
            if (!program.Optimizers.Any(o => ReferenceEquals(o.Optimizer, s.Optimizer)))
                throw new ArgumentException("A scheduler drives an optimizer that the program does not list.", nameof(program));
    }

    /// <summary>The program being trained.</summary>
    public ITrainingProgram Program => _program;

    /// <summary>The options (validated at construction).</summary>
    public TrainerOptions Options => _options;

    /// <summary>
    /// Runs training until <see cref="TrainerOptions.Iterations"/> steps are done (continuing from the
    /// newest checkpoint when <see cref="TrainerOptions.Resume"/> is set) or until
    /// <paramref name="cancellationToken"/> is cancelled; cancellation stops at a step boundary and
    /// writes a checkpoint (when a directory is set) before returning.
    /// </summary>
    /// <exception cref="TrainingDivergedException">A loss term became NaN or infinite (after any allowed rollbacks).</exception>
    /// <exception cref="InvalidDataException">Resuming found only checkpoints that do not match the program.</exception>
    /// <exception cref="InvalidOperationException">Resuming found a checkpoint past <see cref="TrainerOptions.Iterations"/>.</exception>
    public TrainingResult Train(IBatchSource data, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var o = _options;
        o.Validate();
        var clock = Stopwatch.StartNew();
        if (o.Threads is int threads) TorchRuntime.Threads = threads;
        if (o.RetainFreedMemory) TorchRuntime.RetainFreedMemory();
        torch.manual_seed(o.Seed);

        var run = new RunState(_program.Optimizers.Count);
        if (o.Resume) TryResume(data, run, progress, clock);
        else if (o.CheckpointDirectory is not null) RemoveStaleCheckpoints(o.CheckpointDirectory, progress, clock);

        using var window = new StepWindow((int)Math.Min(o.LogInterval, MaxWindow));
        Snapshot? good = o.NanPolicy == NanPolicy.RollbackAndLowerLr ? new Snapshot(run.Step, Capture(data, run)) : null;
        var batches = new List<Tensor>(2);
        var device = o.Device;
        bool cuda = device.type == DeviceType.CUDA;
        Tensor NextBatch()
        {
            var b = data.Next() ?? throw new InvalidOperationException("The batch source returned null.");
            batches.Add(b);
            if (!Devices.Same(b.device, device))
            {
                b = b.to(device);
                batches.Add(b);
            }
            return b;
        }

        long lastLogStep = run.Step;
        var lastLogTime = clock.Elapsed;
        bool cancelled = false;
        while (run.Step < o.Iterations)
        {
            if (cancellationToken.IsCancellationRequested) { cancelled = true; break; }
            long step = run.Step + 1;
            if (cuda) torch.cuda.manual_seed_all(StepSeed(o.Seed, step));
            using (torch.NewDisposeScope())
            {
                try
                {
                    var terms = _program.Step(NextBatch(), step, NextBatch)
                        ?? throw new InvalidOperationException($"The training program returned no loss terms at step {step}.");
                    window.Record(step, terms);
                }
                finally
                {
                    foreach (var b in batches) b.Dispose();
                    batches.Clear();
                }
            }
            StepSchedulers(run);
            run.Step = step;
            if (_program.TakeNotice() is string notice) progress?.Report(Message(step, notice, clock));

            bool log = step % o.LogInterval == 0 || step == o.Iterations;
            bool eval = o.EvaluationInterval > 0 && step % o.EvaluationInterval == 0;
            bool checkpoint = step == o.Iterations || (o.CheckpointInterval > 0 && step % o.CheckpointInterval == 0);
            if (!(log || eval || checkpoint || window.IsFull)) continue;

            if (!CheckWindow(window, run, data, ref good, progress, clock)) continue; // rolled back
            if (log)
            {
                run.History.Add(step, run.LastTerms);
                var now = clock.Elapsed;
                double rate = (step - lastLogStep) / Math.Max(1e-9, (now - lastLogTime).TotalSeconds);
                (lastLogStep, lastLogTime) = (step, now);
                progress?.Report(new TrainingProgress(step, o.Iterations, run.LastTerms, LearningRates(), now, rate));
            }
            if (eval) RunEvaluation(step, run, progress, clock);
            if (checkpoint)
            {
                var bytes = Capture(data, run);
                if (good is not null) good = new Snapshot(step, bytes);
                Save(bytes, step, run, progress, clock);
            }
        }

        if (cancelled)
        {
            // Everything recorded must be checked before a checkpoint may claim it is good.
            while (window.Count > 0 && !CheckWindow(window, run, data, ref good, progress, clock)) { }
            if (o.CheckpointDirectory is not null && run.Step > 0 && run.CheckpointStep != run.Step)
                Save(Capture(data, run), run.Step, run, progress, clock);
            progress?.Report(Message(run.Step, $"Training cancelled after step {run.Step}.", clock));
        }
        return new TrainingResult(run.Step, run.LastTerms, clock.Elapsed, cancelled, run.CheckpointPath, run.History, run.Rollbacks);
    }

    // ---- the guard and rollback

    /// <summary>Reads the window; returns false when a divergence caused a rollback (the caller continues from the restored step).</summary>
    private bool CheckWindow(StepWindow window, RunState run, IBatchSource data, ref Snapshot? good,
        IProgress<TrainingProgress>? progress, Stopwatch clock)
    {
        var rows = window.Drain();
        if (rows.Count == 0) return true;
        if (StepWindow.FirstDivergence(rows) is not { } bad)
        {
            run.LastTerms = rows[^1].ToDictionary();
            return true;
        }
        if (good is null || run.Rollbacks >= _options.MaxRollbacks)
        {
            var detail = good is null ? null : $"Gave up after {run.Rollbacks} rollback(s) with lowered learning rates.";
            throw new TrainingDivergedException(bad.Term, bad.Step, bad.Value, detail);
        }

        // Return to the last good state, keeping this run's rollback count and lowering every rate.
        var restored = CheckpointFile.Restore(good.Bytes, $"in-memory snapshot at step {good.Step}", _program, data);
        run.Rollbacks++;
        for (int i = 0; i < _program.Optimizers.Count; i++)
        {
            var opt = _program.Optimizers[i].Optimizer;
            double scale = run.LrScales[i] * _options.LrFactor;
            opt.SetLearningRate(opt.GetLearningRate() / restored.LrScales[i] * scale);
            run.LrScales[i] = scale;
        }
        run.Step = restored.Step;
        run.History = restored.History;
        run.LastTerms = restored.History.Rows.Count > 0 ? restored.History.Rows[^1].Values : new Dictionary<string, double>();
        window.Reset();
        _program.OnResumed(run.Step);
        // The snapshot now carries the lowered rates, so a second rollback lowers them again.
        good = new Snapshot(run.Step, Capture(data, run));
        progress?.Report(Message(run.Step,
            $"Loss term '{bad.Term}' became {bad.Value} at step {bad.Step}; rolled back to step {run.Step} with learning rates ×{_options.LrFactor} " +
            $"(rollback {run.Rollbacks} of {_options.MaxRollbacks}).", clock));
        return false;
    }

    private void StepSchedulers(RunState run)
    {
        var schedulers = _program.Schedulers;
        if (schedulers.Count == 0) return;
        foreach (var s in schedulers) s.Step();
        // A schedule sets the unscaled rate; re-apply any rollback reduction on top of it.
        for (int i = 0; i < _program.Optimizers.Count; i++)
        {
            if (run.LrScales[i] == 1.0) continue;
            var opt = _program.Optimizers[i].Optimizer;
            if (schedulers.Any(s => ReferenceEquals(s.Optimizer, opt))) opt.SetLearningRate(opt.GetLearningRate() * run.LrScales[i]);
        }
    }

    // ---- evaluation

    private void RunEvaluation(long step, RunState run, IProgress<TrainingProgress>? progress, Stopwatch clock)
    {
        // Evaluation may sample; training must not notice. The CPU generator is restored here; the
        // CUDA generator is reseeded before the next step anyway (see the remarks of the class).
        var cpuRng = TorchRuntime.GetRngState();
        var modes = _program.Modules.Select(m => m.Module.training).ToArray();
        IReadOnlyDictionary<string, double> metrics;
        try
        {
            foreach (var (_, m) in _program.Modules) m.train(false);
            using (torch.no_grad())
            using (torch.NewDisposeScope())
                metrics = _options.Evaluate!(step) ?? new Dictionary<string, double>();
        }
        finally
        {
            for (int i = 0; i < modes.Length; i++) _program.Modules[i].Module.train(modes[i]);
            TorchRuntime.SetRngState(cpuRng);
        }
        run.History.Add(step, metrics);
        progress?.Report(new TrainingProgress(step, _options.Iterations, metrics, LearningRates(), clock.Elapsed, 0, IsEvaluation: true));
    }

    // ---- checkpoints

    private byte[] Capture(IBatchSource data, RunState run) =>
        CheckpointFile.Capture(_program, run.Step, data, run.History, run.LrScales, run.Rollbacks, _options.Seed, _options.RunSettings);

    private void Save(byte[] bytes, long step, RunState run, IProgress<TrainingProgress>? progress, Stopwatch clock)
    {
        var dir = _options.CheckpointDirectory;
        if (dir is null) return;
        var path = Path.Combine(dir, CheckpointFile.FileName(step));
        AtomicFile.WriteAllBytes(path, bytes);
        run.CheckpointPath = path;
        run.CheckpointStep = step;
        foreach (var (_, old) in CheckpointFile.List(dir).SkipLast(_options.KeepCheckpoints))
        {
            try { File.Delete(old); }
            catch (IOException) { } // a reader may hold it open; it is pruned next time
            catch (UnauthorizedAccessException) { }
        }
        progress?.Report(Message(step, $"Checkpoint written: {path}", clock));
    }

    /// <summary>A fresh run owns its folder: checkpoints of an earlier run must not be resumed or kept in its place.</summary>
    private void RemoveStaleCheckpoints(string dir, IProgress<TrainingProgress>? progress, Stopwatch clock)
    {
        var stale = CheckpointFile.List(dir);
        if (stale.Count == 0) return;
        foreach (var (_, path) in stale) File.Delete(path);
        progress?.Report(Message(0, $"Removed {stale.Count} checkpoint(s) of an earlier run from {dir}.", clock));
    }

    private void TryResume(IBatchSource data, RunState run, IProgress<TrainingProgress>? progress, Stopwatch clock)
    {
        var list = CheckpointFile.List(_options.CheckpointDirectory!);
        var failures = new List<string>();
        // Newest first; a damaged newest file falls back to the one before it.
        foreach (var (_, path) in list.Reverse())
        {
            try
            {
                Persistence.RegularFile.Ensure(path, "Checkpoint file"); // a FIFO named like a checkpoint would block the read
                var restored = CheckpointFile.Restore(File.ReadAllBytes(path), path, _program, data);
                // Training cannot go backwards: a run asked to stop before its newest checkpoint is an error, not a silent no-op
                // (and not a reason to fall back to an older checkpoint).
                if (restored.Step > _options.Iterations)
                    throw new InvalidOperationException(
                        $"Checkpoint '{path}' has already finished {restored.Step} steps, more than the {_options.Iterations} iterations asked for; " +
                        $"ask for at least {restored.Step} to resume it.");
                run.Step = restored.Step;
                run.History = restored.History;
                run.LrScales = restored.LrScales;
                run.Rollbacks = restored.Rollbacks;
                run.CheckpointPath = path;
                run.CheckpointStep = restored.Step;
                run.LastTerms = restored.History.Rows.Count > 0 ? restored.History.Rows[^1].Values : new Dictionary<string, double>();
                _program.OnResumed(restored.Step);
                progress?.Report(Message(restored.Step, $"Resumed from {path} at step {restored.Step}.", clock));
                return;
            }
            catch (InvalidDataException ex)
            {
                failures.Add(ex.Message);
                progress?.Report(Message(0, $"Skipping checkpoint {path}: {ex.Message}", clock));
            }
        }
        if (failures.Count > 0)
            throw new InvalidDataException("No checkpoint could be resumed: " + string.Join(" ", failures));
    }

    // ---- helpers

    private IReadOnlyDictionary<string, double> LearningRates() =>
        _program.Optimizers.ToDictionary(o => o.Name, o => o.Optimizer.GetLearningRate(), StringComparer.Ordinal);

    private TrainingProgress Message(long step, string text, Stopwatch clock) =>
        new(step, _options.Iterations, new Dictionary<string, double>(), LearningRates(), clock.Elapsed, 0, Message: text);

    private static void CheckNames(IEnumerable<string> names, string what)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
        {
            if (string.IsNullOrEmpty(n)) throw new ArgumentException($"A {what} has an empty name.");
            if (!seen.Add(n)) throw new ArgumentException($"Two {what}s are named '{n}'.");
        }
    }

    /// <summary>The CUDA generator's seed for <paramref name="step"/>: a SplitMix64 mix, so nearby (seed, step) pairs get unrelated streams.</summary>
    internal static long StepSeed(long seed, long step)
    {
        ulong z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)step + 0xD1B54A32D192ED03UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (long)(z & 0x7FFFFFFFFFFFFFFFUL);
    }

    private sealed record Snapshot(long Step, byte[] Bytes);

    private sealed class RunState(int optimizers)
    {
        public long Step;
        public TrainingHistory History = new();
        public double[] LrScales = Enumerable.Repeat(1.0, optimizers).ToArray();
        public int Rollbacks;
        public string? CheckpointPath;
        public long CheckpointStep = -1;
        public IReadOnlyDictionary<string, double> LastTerms = new Dictionary<string, double>();
    }
}
