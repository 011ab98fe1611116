using Microsoft.ML.Vae.TestSupport;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;

namespace Microsoft.ML.Vae.Cli.Tests;

/// <summary>
/// Hostile and careless uses of the tool that must end in the correct result or in one clear line with a
/// non-zero exit code: failed writes (a simulated full disk) that must keep the previous file, leftovers of
/// killed writers, resumes that change the run, and options the tool used to ignore or misreport. Each
/// case is its own test; <see cref="Corpus"/> runs them all and prints the counts.
/// </summary>
[TestClass]
public sealed class CliFaultCorpusTests
{
    private static string _root = "";
    private static string _run = "";       // a finished 40-step run: vae on 8gaussians, batch 64, seed 3
    private static string _softIntro = ""; // a finished 6-step Soft-IntroVAE run with a learned mixture prior

    private static string Model => Path.Combine(_run, "model.zip");

    [ClassInitialize]
    public static void TrainOnce(TestContext _)
    {
        _root = Path.Combine(Path.GetTempPath(), $"vae-cli-faults-{Guid.NewGuid():N}");
        _run = Path.Combine(_root, "run");
        _softIntro = Path.Combine(_root, "soft-intro");
        Require(CliErrorTests.Run("train", "--model", "vae", "--data", "8gaussians", "--iterations", "40", "--batch-size", "64",
            "--seed", "3", "--log-interval", "20", "--out", _run));
        Require(CliErrorTests.Run("train", "--model", "soft-intro", "--prior", "mog", "--data", "8gaussians", "--iterations", "6",
            "--batch-size", "32", "--log-interval", "3", "--out", _softIntro));
    }

    private static void Require((int Code, string Out, string Err) r)
    {
        if (r.Code != 0) throw new InvalidOperationException($"set-up run failed ({r.Code}): {r.Err}");
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    // ---- the cases

    /// <summary>A case: its name and a check that returns null when the outcome is right, else what went wrong.</summary>
    public sealed record Case(string Name, Func<Outcome?> Check);

    /// <summary>What went wrong: "silent-wrong" (exit 0 or a wrong result), "crash" (stack trace, several lines) or "wrong-error".</summary>
    public sealed record Outcome(string Kind, string Detail);

    private static IEnumerable<Case> Cases()
    {
        // ---- atomic outputs: a write that fails part-way keeps the old file and leaves no temporary file
        yield return new("sample on a full disk keeps the old PNG", () =>
        {
            var dir = Fresh("sample-full");
            var png = Path.Combine(dir, "s.png");
            Require(CliErrorTests.Run("sample", "--model", Model, "--count", "300", "--out", png));
            return AfterFailedWrite(png, 512, () => CliErrorTests.Run("sample", "--model", Model, "--count", "600", "--seed", "9", "--out", png));
        });
        yield return new("encode on a full disk keeps the old CSV", () =>
        {
            var dir = Fresh("encode-full");
            var csv = Path.Combine(dir, "z.csv");
            Require(CliErrorTests.Run("encode", "--model", Model, "--data", "8gaussians", "--count", "50", "--out", csv));
            return AfterFailedWrite(csv, 1024, () => CliErrorTests.Run("encode", "--model", Model, "--data", "8gaussians", "--count", "5000", "--out", csv));
        });
        yield return new("evaluate --json on a full disk keeps the old JSON", () =>
        {
            var dir = Fresh("json-full");
            var json = Path.Combine(dir, "m.json");
            File.WriteAllText(json, "{\"reconstructionMse\": 1.25}");
            return AfterFailedWrite(json, 8, () => CliErrorTests.Run("evaluate", "--model", Model, "--data", "8gaussians", "--metrics", "reconstruction", "--json", json));
        });
        yield return new("train on a full disk keeps the old model.zip", () =>
        {
            var dir = Fresh("train-full");
            File.Copy(Model, Path.Combine(dir, "model.zip"));
            return AfterFailedWrite(Path.Combine(dir, "model.zip"), 1024, () => TrainSmall(dir));
        });
        yield return new("train on a full disk keeps the old samples.png", () =>
        {
            var dir = Fresh("train-full-png");
            File.Copy(Path.Combine(_run, "samples.png"), Path.Combine(dir, "samples.png"));
            return AfterFailedWrite(Path.Combine(dir, "samples.png"), 256, () => TrainSmall(dir));
        });
        yield return new("a failing checkpoint write fails the run and leaves no temporary file", () =>
        {
            var dir = Fresh("checkpoint-full");
            (int, string, string) r;
            using (Fail("checkpoint-20.safetensors", 1024)) r = TrainSmall(dir);
            return Refused(r, Program.RuntimeError, "checkpoint-20.safetensors", "unchanged")
                ?? NoTemporaries(dir)
                ?? (File.Exists(Path.Combine(dir, "checkpoints", "checkpoint-20.safetensors")) ? new Outcome("silent-wrong", "a checkpoint was written anyway") : null);
        });
        yield return new("leftovers of a killed save are removed by the next run", () =>
        {
            var dir = Fresh("stale");
            Directory.CreateDirectory(Path.Combine(dir, "checkpoints"));
            var leftovers = new[]
            {
                Path.Combine(dir, $".model.zip.{Guid.NewGuid():N}.tmp"),
                Path.Combine(dir, $".samples.png.{Guid.NewGuid():N}.tmp"),
                Path.Combine(dir, "checkpoints", $".checkpoint-20.safetensors.{Guid.NewGuid():N}.tmp"),
            };
            foreach (var f in leftovers)
            {
                File.WriteAllBytes(f, new byte[4096]);
                File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddHours(-2)); // written by a process that no longer runs
            }
            var r = TrainSmall(dir);
            return Succeeded(r) ?? NoTemporaries(dir);
        });

        // ---- resume: honour what can be honoured and say so, refuse the rest with both values
        yield return new("resume --lr 0.5 is refused with both rates", () =>
            Unchanged(_run, () => Refused(Resume(_run, "--lr", "0.5"), Program.UsageError, "lr", "0.001", "0.5")));
        yield return new("resume --model beta-h of a vae run is refused", () =>
            Unchanged(_run, () => Refused(Resume(_run, "--model", "beta-h"), Program.UsageError, "model", "vae", "beta-h")));
        yield return new("resume --iterations below the finished steps is refused", () =>
            Unchanged(_run, () => Refused(Resume(_run, "--iterations", "20"), Program.UsageError, "40", "20")));
        yield return new("resume --batch-size 32 of a batch-64 run is refused", () =>
            Unchanged(_run, () => Refused(Resume(_run, "--batch-size", "32"), Program.UsageError, "batch-size", "64", "32")));
        yield return new("resume --latent-dim 3 (another architecture) is refused", () =>
            Unchanged(_run, () => Refused(Resume(_run, "--latent-dim", "3"), Program.UsageError, "latent-dim", "2", "3")));
        yield return new("resume --decoupled-prior (another architecture) is refused", () =>
            Unchanged(_run, () => Refused(Resume(_run, "--decoupled-prior"), Program.UsageError, "decoupled-prior")));
        yield return new("resume --mse-weight 10 (another loss) is refused", () =>
            Unchanged(_run, () => Refused(Resume(_run, "--mse-weight", "10"), Program.UsageError, "mse-weight", "1", "10")));
        yield return new("resume --seed 4 of a seed-3 run is refused", () =>
            Unchanged(_run, () => Refused(Resume(_run, "--seed", "4"), Program.UsageError, "seed", "3", "4")));
        yield return new("resume --data moons of an 8gaussians run is refused", () =>
            Unchanged(_run, () => Refused(Resume(_run, "--data", "moons"), Program.UsageError, "data", "8gaussians", "moons")));
        yield return new("resume soft-intro --lr 0.5 is refused (no libtorch error)", () =>
            Unchanged(_softIntro, () => Refused(Resume(_softIntro, "--lr", "0.5"), Program.UsageError, "lr", "0.5")));
        yield return new("resume soft-intro --prior vamp of a mog run is refused", () =>
            Unchanged(_softIntro, () => Refused(Resume(_softIntro, "--prior", "vamp"), Program.UsageError, "prior", "mog", "vamp")));
        yield return new("resume soft-intro --components 3 is refused", () =>
            Unchanged(_softIntro, () => Refused(Resume(_softIntro, "--components", "3"), Program.UsageError, "components", "3")));
        yield return new("resume repeating the run's own values is accepted", () =>
        {
            var dir = Copy(_run, "same");
            return Succeeded(Resume(dir, "--model", "vae", "--data", "8gaussians", "--lr", "0.0010", "--batch-size", "64", "--seed", "3", "--device", "cpu"));
        });
        yield return new("resume with more iterations is honoured, announced and recorded truthfully", () =>
        {
            var dir = Copy(_run, "more");
            var r = Resume(dir, "--iterations", "60");
            if (Succeeded(r) is { } bad) return bad;
            if (!r.Out.Contains("60 iterations instead of the run's 40")) return new("silent-wrong", $"no announcement: {r.Out}");
            var config = ModelConfig(Path.Combine(dir, "model.zip"));
            if (config["options"]!["iterations"]!.GetValue<long>() != 60) return new("silent-wrong", $"model.zip says {config["options"]!["iterations"]} iterations");
            if (config["options"]!["learningRate"]!.GetValue<double>() != 0.001) return new("silent-wrong", "model.zip's learning rate changed");
            var latest = CheckpointFile.FindLatest(Path.Combine(dir, "checkpoints"))!;
            if (CheckpointFile.ReadStep(latest) != 60) return new("silent-wrong", $"newest checkpoint is {latest}");
            if (CheckpointFile.ReadRunSettings(latest)?["iterations"] != "60") return new("silent-wrong", "the checkpoint records the old iteration count");
            // A later resume without --iterations continues the extended run, not the original count.
            var again = Resume(dir);
            return Succeeded(again) ?? (again.Out.Contains("instead of") ? new Outcome("silent-wrong", "the extension was not recorded") : null);
        });
        yield return new("resume without options keeps the run's settings in model.zip", () =>
        {
            var dir = Copy(_run, "plain");
            var r = Resume(dir);
            if (Succeeded(r) is { } bad) return bad;
            var options = ModelConfig(Path.Combine(dir, "model.zip"))["options"]!;
            return options["batchSize"]!.GetValue<int>() == 64 && options["iterations"]!.GetValue<long>() == 40
                ? null : new Outcome("silent-wrong", $"model.zip options: {options.ToJsonString()}");
        });

        // ---- small CLI lies
        yield return new("sample --out s.jpg writes JPEG", () => SampleFormat("s.jpg", [0xFF, 0xD8, 0xFF]));
        yield return new("sample --out s.JPEG writes JPEG", () => SampleFormat("s.JPEG", [0xFF, 0xD8, 0xFF]));
        yield return new("sample --out s.png writes PNG", () => SampleFormat("s.png", [0x89, (byte)'P', (byte)'N', (byte)'G']));
        yield return new("sample --out s.bmp is refused and writes nothing", () =>
        {
            var path = Path.Combine(Fresh("bmp"), "s.bmp");
            return Refused(CliErrorTests.Run("sample", "--model", Model, "--out", path), Program.UsageError, "s.bmp", ".png", ".jpg")
                ?? (File.Exists(path) ? new Outcome("silent-wrong", "a file was written") : null);
        });
        yield return new("sample --out without extension is refused", () =>
            Refused(CliErrorTests.Run("sample", "--model", Model, "--out", Path.Combine(Fresh("noext"), "samples")), Program.UsageError, ".png"));
        yield return new("encode --limit 0 on toy data is refused", () =>
            Refused(CliErrorTests.Run("encode", "--model", Model, "--data", "8gaussians", "--limit", "0", "--out", Path.Combine(Fresh("l0"), "z.csv")),
                Program.UsageError, "--limit", "0"));
        yield return new("encode --limit -3 is refused", () =>
            Refused(CliErrorTests.Run("encode", "--model", Model, "--data", "8gaussians", "--limit", "-3", "--out", Path.Combine(Fresh("lneg"), "z.csv")),
                Program.UsageError, "--limit"));
        yield return new("encode --limit 7 on toy data writes 7 rows", () =>
        {
            var csv = Path.Combine(Fresh("l7"), "z.csv");
            var r = CliErrorTests.Run("encode", "--model", Model, "--data", "8gaussians", "--limit", "7", "--out", csv);
            if (Succeeded(r) is { } bad) return bad;
            int rows = File.ReadAllLines(csv).Length - 1;
            return rows == 7 ? null : new Outcome("silent-wrong", $"{rows} rows");
        });
        yield return new("train --limit on sampled toy data is refused", () =>
            Refused(CliErrorTests.Run("train", "--model", "vae", "--data", "8gaussians", "--limit", "10", "--iterations", "2", "--out", Fresh("tl")),
                Program.UsageError, "--limit", "8gaussians"));
        yield return new("compare keeps its table with non-numeric values", CompareNonNumeric);
        yield return new("compare --markdown keeps its table with non-numeric values", () => CompareNonNumeric(markdown: true));
        yield return new("compare of an empty metrics file does not crash", () =>
        {
            var a = Path.Combine(Fresh("cmp-empty"), "a.json");
            File.WriteAllText(a, "{}");
            return Succeeded(CliErrorTests.Run("compare", "--json", a));
        });
    }

    public static IEnumerable<object[]> CaseNames => Cases().Select(c => new object[] { c.Name });

    [TestMethod]
    [DynamicData(nameof(CaseNames))]
    public void Fault(string name)
    {
        var outcome = Cases().Single(c => c.Name == name).Check();
        Assert.IsNull(outcome, $"{name}: {outcome?.Kind}: {outcome?.Detail}");
    }

    [TestMethod]
    public void Corpus()
    {
        var results = Cases().Select(c => (c.Name, Outcome: c.Check())).ToList();
        foreach (var (name, outcome) in results)
            Console.WriteLine($"{(outcome is null ? "ok" : outcome.Kind),-13} {name}{(outcome is null ? "" : ": " + outcome.Detail)}");
        int ok = results.Count(r => r.Outcome is null);
        int silent = results.Count(r => r.Outcome?.Kind == "silent-wrong");
        int crash = results.Count(r => r.Outcome?.Kind == "crash");
        Console.WriteLine($"fault corpus: {results.Count} cases, {ok} ok, {silent} silent-wrong, {crash} crash");
        Assert.AreEqual(results.Count, ok, string.Join("; ", results.Where(r => r.Outcome is not null).Select(r => $"{r.Name}: {r.Outcome}")));
    }

    // ---- helpers

    private static string Fresh(string name)
    {
        var dir = Path.Combine(_root, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string Copy(string run, string name)
    {
        var dir = Fresh(name);
        foreach (var f in Directory.GetFiles(run, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(dir, Path.GetRelativePath(run, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
        return dir;
    }

    private static (int Code, string Out, string Err) TrainSmall(string dir) =>
        CliErrorTests.Run("train", "--model", "vae", "--data", "8gaussians", "--iterations", "20", "--batch-size", "64", "--log-interval", "10", "--out", dir);

    private static (int Code, string Out, string Err) Resume(string dir, params string[] options) =>
        CliErrorTests.Run(["train", "--resume", "--out", dir, "--log-interval", "20", .. options]);

    private static IDisposable Fail(string fileName, long budget) =>
        AtomicFile.InterceptForTesting((path, s) => Path.GetFileName(path) == fileName ? new FullDiskStream(s, budget) : s);

    /// <summary>Runs <paramref name="run"/> with writes of <paramref name="path"/> failing after <paramref name="budget"/> bytes.</summary>
    private static Outcome? AfterFailedWrite(string path, long budget, Func<(int, string, string)> run)
    {
        var old = File.ReadAllBytes(path);
        (int Code, string Out, string Err) r;
        using (Fail(Path.GetFileName(path), budget)) r = run();
        return Refused(r, Program.RuntimeError, Path.GetFileName(path), "No space left")
            ?? (old.AsSpan().SequenceEqual(File.ReadAllBytes(path)) ? null : new Outcome("silent-wrong", $"{Path.GetFileName(path)} was changed"))
            ?? NoTemporaries(Path.GetDirectoryName(path)!);
    }

    private static Outcome? NoTemporaries(string dir)
    {
        var left = Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories);
        return left.Length == 0 ? null : new Outcome("silent-wrong", "temporary files left: " + string.Join(", ", left.Select(Path.GetFileName)));
    }

    /// <summary>Runs a refused resume and checks it changed nothing in the run's folder.</summary>
    private static Outcome? Unchanged(string dir, Func<Outcome?> check)
    {
        var before = Directory.GetFiles(dir, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);
        var outcome = check();
        if (outcome is not null) return outcome;
        var after = Directory.GetFiles(dir, "*", SearchOption.AllDirectories);
        if (after.Length != before.Count || after.Any(f => !before.TryGetValue(f, out var b) || !b.AsSpan().SequenceEqual(File.ReadAllBytes(f))))
            return new("silent-wrong", "the refused resume changed the run's files");
        return null;
    }

    private static Outcome? Succeeded((int Code, string Out, string Err) r) =>
        r.Code == 0 ? null : new Outcome("wrong-error", $"exit {r.Code}: {r.Err.Trim()}");

    private static Outcome? Refused((int Code, string Out, string Err) r, int code, params string[] fragments)
    {
        if (r.Code == 0) return new("silent-wrong", "exit 0: " + r.Out.Trim().Split('\n').LastOrDefault());
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != 1 || r.Err.Contains("   at ")) return new("crash", r.Err);
        if (!lines[0].StartsWith("vae: ", StringComparison.Ordinal)) return new("wrong-error", lines[0]);
        if (r.Code != code) return new("wrong-error", $"exit {r.Code} (expected {code}): {lines[0]}");
        var missing = fragments.Where(f => !lines[0].Contains(f, StringComparison.Ordinal)).ToList();
        return missing.Count == 0 ? null : new Outcome("wrong-error", $"'{lines[0]}' does not name {string.Join(", ", missing)}");
    }

    private static JsonNode ModelConfig(string zip)
    {
        using var archive = ZipFile.OpenRead(zip);
        using var s = archive.GetEntry("config.json")!.Open();
        return JsonNode.Parse(s)!;
    }

    private static Outcome? SampleFormat(string name, byte[] magic)
    {
        var path = Path.Combine(Fresh("fmt"), name);
        var r = CliErrorTests.Run("sample", "--model", Model, "--count", "200", "--out", path);
        if (Succeeded(r) is { } bad) return bad;
        var head = File.ReadAllBytes(path).Take(magic.Length).ToArray();
        return head.SequenceEqual(magic) ? null : new Outcome("silent-wrong", $"{name} starts with {Convert.ToHexString(head)}");
    }

    private static Outcome? CompareNonNumeric() => CompareNonNumeric(markdown: false);

    private static Outcome? CompareNonNumeric(bool markdown)
    {
        var dir = Fresh("cmp");
        var a = Path.Combine(dir, "a.json");
        var b = Path.Combine(dir, "b.json");
        File.WriteAllText(a, """
            {"nll": 1.23456789, "fidFeatures": "classifier", "list": [1, 2, 3], "none": null, "flag": true,
             "diverged": "NaN", "long": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
             "lines": "first\nsecond", "pipe": "a|b", "leakage": {"-10": 0.5, "deep": {"x": [1]}}}
            """);
        File.WriteAllText(b, """{"nll": 2, "fidFeatures": "inception-v3 (pool3, 2048)"}""");
        var args = markdown ? new[] { "compare", "--json", $"{a},{b}", "--markdown" } : new[] { "compare", "--json", $"{a},{b}" };
        var r = CliErrorTests.Run(args);
        if (Succeeded(r) is { } bad) return bad;
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        int expectedRows = 11 + (markdown ? 2 : 1); // 11 metrics after flattening, plus the header (and the rule)
        if (lines.Count != expectedRows) return new("silent-wrong", $"{lines.Count} lines instead of {expectedRows}:\n{r.Out}");
        if (markdown)
        {
            var counts = lines.Select(l => l.Replace("\\|", "", StringComparison.Ordinal).Count(c => c == '|')).Distinct().ToList();
            if (counts.Count != 1) return new("silent-wrong", $"rows with different column counts:\n{r.Out}");
        }
        else if (lines.Select(l => l.Length).Distinct().Count() != 1) return new("silent-wrong", $"ragged table:\n{r.Out}");
        string Row(string key) => lines.First(l => l.TrimStart('|', ' ').StartsWith(key + " ", StringComparison.Ordinal));
        foreach (var key in new[] { "list", "none", "long", "lines", "leakage[deep][x]" })
            if (!Row(key).Contains("n/a")) return new("silent-wrong", $"'{key}' is not n/a: {Row(key)}");
        if (!Row("nll").Contains("1.2346")) return new("silent-wrong", Row("nll"));
        if (!Row("diverged").Contains("NaN")) return new("silent-wrong", Row("diverged"));
        if (!Row("fidFeatures").Contains("classifier") || !Row("fidFeatures").Contains("inception-v3 (pool3, 2048)")) return new("silent-wrong", Row("fidFeatures"));
        return null;
    }
}
