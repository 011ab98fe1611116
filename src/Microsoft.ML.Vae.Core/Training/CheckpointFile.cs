using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Persistence.SafeTensors;
using Microsoft.ML.Vae.Core.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Training;

/// <summary>
/// Training checkpoints: one safetensors file <c>checkpoint-&lt;step&gt;.safetensors</c> per save, holding
/// every module's state ("module.&lt;name&gt;.…"), every optimizer's state ("optim.&lt;name&gt;.…", see
/// <see cref="OptimizerCheckpoint"/>), the CPU random generator ("rng.cpu") and, as metadata, the step,
/// optimizer step counts and learning rates, scheduler positions, the batch source's state and the
/// history so far.
/// </summary>
/// <remarks>
/// Version 2 stores each Adam parameter's own step count as a tensor ("optim.&lt;name&gt;.&lt;i&gt;.step");
/// version 1 (written by the library's own binding) kept one count per optimizer in the metadata and
/// a CUDA generator state, and still resumes (its CUDA state is not used: see <see cref="Trainer"/>).
/// </remarks>
public static class CheckpointFile
{
    /// <summary>Value of the "format" metadata entry.</summary>
    public const string FormatName = "vae-checkpoint";

    /// <summary>Newest checkpoint layout this library reads and the one it writes.</summary>
    public const int FormatVersion = 2;

    private const string Prefix = "checkpoint-";
    private const string Extension = ".safetensors";

    /// <summary>The file name of the checkpoint after <paramref name="step"/> steps.</summary>
    public static string FileName(long step) => $"{Prefix}{step.ToString(CultureInfo.InvariantCulture)}{Extension}";

    /// <summary>Checkpoint files in <paramref name="directory"/>, by increasing step (empty when the folder is missing).</summary>
    public static IReadOnlyList<(long Step, string Path)> List(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory)) return [];
        var found = new List<(long, string)>();
        foreach (var path in Directory.EnumerateFiles(directory, Prefix + "*" + Extension))
        {
            var name = Path.GetFileName(path);
            var digits = name.AsSpan(Prefix.Length, name.Length - Prefix.Length - Extension.Length);
            if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var step)) found.Add((step, path));
        }
        return found.OrderBy(f => f.Item1).ToList();
    }

    /// <summary>The newest checkpoint in <paramref name="directory"/>, or null.</summary>
    public static string? FindLatest(string directory) => List(directory) is { Count: > 0 } l ? l[^1].Path : null;

    /// <summary>Steps completed when the checkpoint was written (validates the file's metadata).</summary>
    public static long ReadStep(string path) => ReadMeta(path).Step;

    /// <summary>The training history stored in a checkpoint.</summary>
    public static TrainingHistory ReadHistory(string path) => ReadMeta(path).History;

    /// <summary>
    /// The run settings stored in a checkpoint (see <see cref="TrainerOptions.RunSettings"/>), or null when the
    /// run stored none (or the file predates them).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a valid checkpoint or its settings entry is damaged.</exception>
    public static IReadOnlyDictionary<string, string>? ReadRunSettings(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Persistence.RegularFile.Ensure(path, "Checkpoint file"); // a FIFO named like a checkpoint would block the read
        var file = SafeTensorsFormat.ReadFile(path);
        _ = CheckpointMeta.Parse(file.Metadata, path);
        if (!file.Metadata.TryGetValue(RunSettingsKey, out var json)) return null;
        try
        {
            return JsonSerializer.Deserialize<Dictionary<string, string>>(json)
                ?? throw new InvalidDataException($"Checkpoint '{path}' has an invalid '{RunSettingsKey}' entry: null.");
        }
        catch (JsonException ex) { throw new InvalidDataException($"Checkpoint '{path}' has an invalid '{RunSettingsKey}' entry: {ex.Message}", ex); }
    }

    private const string RunSettingsKey = "run";

    private static CheckpointMeta ReadMeta(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Persistence.RegularFile.Ensure(path, "Checkpoint file"); // a FIFO named like a checkpoint would block the read
        var file = SafeTensorsFormat.ReadFile(path);
        return CheckpointMeta.Parse(file.Metadata, path);
    }

    // ---- capture and restore (used by the trainer)

    /// <summary>Serializes the full training state.</summary>
    internal static byte[] Capture(ITrainingProgram program, long step, IBatchSource data, TrainingHistory history,
        double[] lrScales, int rollbacks, long seed, IReadOnlyDictionary<string, string>? runSettings = null)
    {
        // The exported optimizer state and the generator state are new tensors: the scope releases them.
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, module) in program.Modules)
            foreach (var (k, t) in module.state_dict()) tensors[$"module.{name}.{k}"] = t;
        foreach (var (name, opt) in program.Optimizers)
            foreach (var (k, t) in OptimizerCheckpoint.Export(opt)) tensors[$"optim.{name}.{k}"] = t;
        var cpu = TorchRuntime.GetRngState();
        tensors["rng.cpu"] = TensorData.FromBytes(cpu, [cpu.Length], ScalarType.Byte);

        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = FormatName,
            ["version"] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            ["step"] = step.ToString(CultureInfo.InvariantCulture),
            ["seed"] = seed.ToString(CultureInfo.InvariantCulture),
            ["modules"] = JsonSerializer.Serialize(program.Modules.Select(m => m.Name).ToArray()),
            ["optimizers"] = JsonSerializer.Serialize(program.Optimizers.Select(o => o.Name).ToArray()),
            ["schedulers"] = JsonSerializer.Serialize(program.Schedulers.Select(s => s.LastStep).ToArray()),
            ["rollbacks"] = rollbacks.ToString(CultureInfo.InvariantCulture),
            ["data"] = data.SaveState(),
            ["history"] = history.ToCsv(),
        };
        if (runSettings is not null) meta[RunSettingsKey] = JsonSerializer.Serialize(runSettings);
        for (int i = 0; i < program.Optimizers.Count; i++)
        {
            var (name, opt) = program.Optimizers[i];
            if (OptimizerCheckpoint.HasStepCount(opt))
                meta[$"optim.{name}.step_count"] = OptimizerCheckpoint.StepCount(opt).ToString(CultureInfo.InvariantCulture);
            meta[$"optim.{name}.lr"] = opt.GetLearningRate().ToString("R", CultureInfo.InvariantCulture);
            meta[$"optim.{name}.lr_scale"] = lrScales[i].ToString("R", CultureInfo.InvariantCulture);
        }
        return StateDictIO.Serialize(tensors, meta);
    }

    /// <summary>
    /// Validates a checkpoint against the program completely, then restores modules, optimizers,
    /// schedulers, the CPU random generator and the batch source. Invalid or mismatching checkpoints raise
    /// <see cref="InvalidDataException"/> before anything is changed.
    /// </summary>
    internal static RestoredState Restore(byte[] bytes, string source, ITrainingProgram program, IBatchSource data)
    {
        var file = SafeTensorsFormat.Read(bytes);
        var meta = CheckpointMeta.Parse(file.Metadata, source);
        string Where() => $"Checkpoint '{source}'";

        var modules = program.Modules.Select(m => m.Name).ToArray();
        var optimizers = program.Optimizers.Select(o => o.Name).ToArray();
        if (!meta.Modules.SequenceEqual(modules))
            throw new InvalidDataException($"{Where()} holds modules [{string.Join(", ", meta.Modules)}] but the program has [{string.Join(", ", modules)}].");
        if (!meta.Optimizers.SequenceEqual(optimizers))
            throw new InvalidDataException($"{Where()} holds optimizers [{string.Join(", ", meta.Optimizers)}] but the program has [{string.Join(", ", optimizers)}].");
        if (meta.SchedulerSteps.Length != program.Schedulers.Count)
            throw new InvalidDataException($"{Where()} holds {meta.SchedulerSteps.Length} scheduler position(s) but the program has {program.Schedulers.Count} scheduler(s).");

        // Expected names, shapes and types, checked before any state changes.
        var expected = new Dictionary<string, (long[] Shape, ScalarType DType, bool Required)>(StringComparer.Ordinal);
        foreach (var (name, module) in program.Modules)
            foreach (var (k, t) in module.state_dict()) expected[$"module.{name}.{k}"] = (t.shape, t.dtype, true);
        // Version 1 (the old binding's Adam) kept one step count per optimizer in the metadata instead of one per parameter.
        var stepFallbacks = new Dictionary<string, long>(StringComparer.Ordinal);
        for (int i = 0; i < program.Optimizers.Count; i++)
        {
            var (name, opt) = program.Optimizers[i];
            foreach (var e in OptimizerCheckpoint.Entries(opt))
            {
                var key = $"optim.{name}.{e.Name}";
                bool required = e.Required;
                if (meta.Version < 2 && e.Name.EndsWith(".step", StringComparison.Ordinal) && !file.Entries.ContainsKey(key))
                {
                    stepFallbacks[key] = meta.StepCounts[i]
                        ?? throw new InvalidDataException($"Checkpoint '{source}' lacks the 'optim.{name}.step_count' metadata entry.");
                    required = false;
                }
                expected[key] = (e.Shape, e.DType, required);
            }
        }
        var missing = expected.Where(e => e.Value.Required && !file.Entries.ContainsKey(e.Key)).Select(e => e.Key).ToList();
        var unexpected = file.Entries.Keys.Where(k => !expected.ContainsKey(k) && !k.StartsWith("rng.", StringComparison.Ordinal)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException($"{Where()} does not match the program: missing [{Short(missing)}], unexpected [{Short(unexpected)}].");
        foreach (var (k, t) in expected)
        {
            if (!file.Entries.TryGetValue(k, out var e)) continue;
            if (!e.Shape.SequenceEqual(t.Shape))
                throw new InvalidDataException($"{Where()}: '{k}' has shape [{string.Join(", ", e.Shape)}], the program expects [{string.Join(", ", t.Shape)}].");
            if (e.DType != t.DType)
                throw new InvalidDataException($"{Where()}: '{k}' has dtype {e.DType}, the program expects {t.DType}.");
        }
        if (!file.Entries.TryGetValue("rng.cpu", out var rngCpu) || rngCpu.DType != ScalarType.Byte)
            throw new InvalidDataException($"{Where()} has no CPU random generator state.");

        using var scope = torch.NewDisposeScope();
        Tensor Load(string key)
        {
            if (stepFallbacks.TryGetValue(key, out var step)) return torch.tensor(step, ScalarType.Int64);
            var e = file.Entries[key];
            return TensorData.FromBytes(e.Data.Span, e.Shape, e.DType);
        }
        try
        {
            foreach (var (name, module) in program.Modules)
            {
                var state = module.state_dict().Keys.ToDictionary(k => k, k => Load($"module.{name}.{k}"), StringComparer.Ordinal);
                module.load_state_dict(state, strict: true);
            }
            // Schedulers first: SetStep writes a learning rate that the optimizer's saved rate then overrides exactly.
            for (int i = 0; i < program.Schedulers.Count; i++) program.Schedulers[i].SetStep(meta.SchedulerSteps[i]);
            for (int i = 0; i < program.Optimizers.Count; i++)
            {
                var (name, opt) = program.Optimizers[i];
                var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
                foreach (var e in OptimizerCheckpoint.Entries(opt))
                {
                    var key = $"optim.{name}.{e.Name}";
                    if (file.Entries.ContainsKey(key) || stepFallbacks.ContainsKey(key)) state[e.Name] = Load(key);
                }
                OptimizerCheckpoint.Import(opt, state);
                opt.SetLearningRate(meta.LearningRates[i]);
            }
            data.RestoreState(meta.Data);
            TorchRuntime.SetRngState(rngCpu.Data.ToArray());
        }
        catch (Exception ex) when (ex is ArgumentException or ExternalException)
        {
            throw new InvalidDataException($"{Where()} could not be restored: {ex.Message}", ex);
        }
        return new RestoredState(meta.Step, meta.History, meta.LrScales, meta.Rollbacks);
    }

    private static string Short(List<string> names) =>
        names.Count <= 8 ? string.Join(", ", names) : string.Join(", ", names.Take(8)) + $", … ({names.Count} in all)";

    internal sealed record RestoredState(long Step, TrainingHistory History, double[] LrScales, int Rollbacks);

    private sealed record CheckpointMeta(long Version, long Step, string[] Modules, string[] Optimizers, long[] SchedulerSteps,
        long?[] StepCounts, double[] LearningRates, double[] LrScales, int Rollbacks, string Data, TrainingHistory History)
    {
        public static CheckpointMeta Parse(IReadOnlyDictionary<string, string> m, string source)
        {
            string Get(string key) => m.TryGetValue(key, out var v)
                ? v : throw new InvalidDataException($"Checkpoint '{source}' lacks the '{key}' metadata entry.");
            InvalidDataException Bad(string key, string why) => new($"Checkpoint '{source}' has an invalid '{key}' entry: {why}");
            long Long(string key) => long.TryParse(Get(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= 0
                ? v : throw Bad(key, "expected a non-negative integer.");
            double Double(string key) => double.TryParse(Get(key), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) && v >= 0
                ? v : throw Bad(key, "expected a finite non-negative number.");
            T Json<T>(string key)
            {
                try { return JsonSerializer.Deserialize<T>(Get(key)) ?? throw Bad(key, "null."); }
                catch (JsonException ex) { throw Bad(key, ex.Message); }
            }

            if (!m.TryGetValue("format", out var format) || format != FormatName)
                throw new InvalidDataException($"'{source}' is not a training checkpoint (no '{FormatName}' format marker).");
            var version = Long("version");
            if (version > FormatVersion)
                throw new InvalidDataException($"Checkpoint '{source}' has format version {version}; this library reads up to version {FormatVersion}.");
            var optimizers = Json<string[]>("optimizers");
            // Informational since version 2 (the step counts are per parameter, among the tensors); version 1 needs them.
            var stepCounts = optimizers.Select(o => m.ContainsKey($"optim.{o}.step_count") ? Long($"optim.{o}.step_count") : (long?)null).ToArray();
            var rates = optimizers.Select(o => Double($"optim.{o}.lr")).ToArray();
            var scales = optimizers.Select(o => Double($"optim.{o}.lr_scale")).ToArray();
            TrainingHistory history;
            try { history = TrainingHistory.FromCsv(Get("history")); }
            catch (InvalidDataException ex) { throw Bad("history", ex.Message); }
            return new CheckpointMeta(version, Long("step"), Json<string[]>("modules"), optimizers, Json<long[]>("schedulers"),
                stepCounts, rates, scales, (int)Math.Min(int.MaxValue, Long("rollbacks")), Get("data"), history);
        }
    }
}
