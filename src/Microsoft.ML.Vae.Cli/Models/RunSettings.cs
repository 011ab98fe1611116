using System.Globalization;
using Microsoft.ML.Vae.Cli.CommandLine;
using Microsoft.ML.Vae.Cli.Data;

namespace Microsoft.ML.Vae.Cli.Models;

/// <summary>
/// What defines a training run, recorded in every checkpoint so that <c>vae train --resume</c> continues
/// the same run: the options the run was started with ("arg.&lt;name&gt;", replayed on resume) and the
/// values they produced (model kind, data, seed, learning rates, sizes...; compared on resume).
/// </summary>
/// <remarks>
/// On resume the recorded options are the base and the options given now are laid over them; the model
/// is built from the result and its values must equal the recorded ones, else the resume is refused with
/// one line naming the value, the options given and both values. Only the number of iterations may change
/// (to at least the checkpoint's step), and the options in <see cref="Free"/>, which steer how the run
/// executes but not what it computes.
/// </remarks>
internal static class RunSettings
{
    /// <summary>Options a resume may change freely: they do not change what is computed.</summary>
    public static readonly string[] Free = ["out", "resume", "log-interval", "checkpoint-interval", "threads", "device"];

    private const string ArgPrefix = "arg.";
    private const string Switch = "\u0001"; // an option given without a value
    private const string IterationsKey = "iterations";

    /// <summary>The settings to record for a run built from <paramref name="args"/> (the merged arguments on resume).</summary>
    public static Dictionary<string, string> Record(ParsedArguments args, TrainingSetup setup, CliData data, long seed)
    {
        var r = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in args.Given)
            if (!Free.Contains(name) && name is not ("iterations" or "epochs")) r[ArgPrefix + name] = value ?? Switch;
        r["model"] = args.Get("model") ?? "";
        r["data"] = data.Name;
        r["seed"] = seed.ToString(CultureInfo.InvariantCulture);
        r["limit"] = args.Get("limit") is string l ? long.Parse(l, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) : "all";
        foreach (var (k, v) in setup.Settings) r[k] = v;
        r[IterationsKey] = setup.Iterations.ToString(CultureInfo.InvariantCulture);
        return r;
    }

    /// <summary>
    /// The newest checkpoint in <paramref name="directory"/> whose step and settings can be read (a damaged newest
    /// file falls back to the one before, as the trainer does), or null when there is none. Settings are null for
    /// checkpoints written before runs recorded them.
    /// </summary>
    public static (string Path, long Step, IReadOnlyDictionary<string, string>? Recorded)? FindCheckpoint(string directory)
    {
        foreach (var (_, path) in Core.Training.CheckpointFile.List(directory).Reverse())
        {
            try { return (path, Core.Training.CheckpointFile.ReadStep(path), Core.Training.CheckpointFile.ReadRunSettings(path)); }
            catch (InvalidDataException) { }
        }
        return null;
    }

    /// <summary>The iterations a recorded run asked for, or null when not recorded.</summary>
    public static long? Iterations(IReadOnlyDictionary<string, string> recorded) =>
        recorded.TryGetValue(IterationsKey, out var s) && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>
    /// The arguments of the resumed run: the recorded run's options, with the options given now laid over them.
    /// Without a new --iterations or --epochs the recorded iteration count is kept.
    /// </summary>
    public static ParsedArguments Merge(string command, ParsedArguments given, IReadOnlyDictionary<string, string> recorded)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (k, v) in recorded)
            if (k.StartsWith(ArgPrefix, StringComparison.Ordinal)) values[k[ArgPrefix.Length..]] = v == Switch ? null : v;
        if (!given.Has("iterations") && !given.Has("epochs") && Iterations(recorded) is long n)
            values["iterations"] = n.ToString(CultureInfo.InvariantCulture);
        foreach (var (k, v) in given.Given) values[k] = v;
        return ParsedArguments.FromValues(command, values);
    }

    /// <summary>Refuses, before anything is built, a resume whose --model, --data, --seed or --limit differ from the recorded run's.</summary>
    public static void RequireSameIdentity(IReadOnlyDictionary<string, string> recorded, ParsedArguments given, string checkpoint)
    {
        foreach (var key in new[] { "model", "data", "seed", "limit" })
        {
            if (given.Get(key) is not string text || !recorded.TryGetValue(key, out var before)) continue;
            string now = key is "seed" or "limit" && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                ? n.ToString(CultureInfo.InvariantCulture) : text;
            if (now != before)
                throw new UsageException(
                    $"--resume cannot change {key}: the checkpoint's run ({Path.GetFileName(checkpoint)}) has {key} {Show(before)}, --{key} {text} asks for {now}; " +
                    "leave it out to continue the run, or train afresh in another --out folder.");
        }
    }

    /// <summary>
    /// Throws a one-line <see cref="UsageException"/> for the first value (other than the iterations) where the
    /// resumed run would differ from the recorded one.
    /// </summary>
    public static void RequireSameRun(IReadOnlyDictionary<string, string> recorded, IReadOnlyDictionary<string, string> resumed,
        ParsedArguments given, string checkpoint)
    {
        foreach (var (key, now) in resumed)
        {
            if (key == IterationsKey || key.StartsWith(ArgPrefix, StringComparison.Ordinal)) continue;
            recorded.TryGetValue(key, out var before);
            if (before == now) continue;
            string cause = given.Has(key)
                ? (given.Get(key) is string v ? $"--{key} {v}" : $"--{key}")
                : "the options given now (" + string.Join(" ", given.Given.Keys.Where(k => !Free.Contains(k)).Select(k => "--" + k)) + ")";
            throw new UsageException(
                $"--resume cannot change {key}: the checkpoint's run ({Path.GetFileName(checkpoint)}) has {key} {Show(before)}, {cause} would make it {Show(now)}; " +
                "leave it out to continue the run, or train afresh in another --out folder.");
        }
        foreach (var (key, before) in recorded)
        {
            if (key == IterationsKey || key.StartsWith(ArgPrefix, StringComparison.Ordinal) || resumed.ContainsKey(key)) continue;
            throw new UsageException($"--resume cannot change {key}: the checkpoint's run ({Path.GetFileName(checkpoint)}) has {key} {Show(before)}, the options given now have none.");
        }
    }

    private static string Show(string? value) => value switch
    {
        null => "(not set)",
        Switch => "(on)",
        "" => "(empty)",
        _ => value,
    };
}
