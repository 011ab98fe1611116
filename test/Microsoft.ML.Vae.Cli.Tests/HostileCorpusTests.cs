using Microsoft.ML.Vae.Core.Persistence;
using TorchSharp;

namespace Microsoft.ML.Vae.Cli.Tests;

/// <summary>
/// The hostile-input corpus: damaged model files, decompression bombs, lying IDX headers, pipes where files are
/// expected and out-of-range options, each run through the tool in-process with a time limit. Every case must end
/// in a clear one-line error (or, for the inputs that are fine, the correct result): no crash, no hang, no
/// silently wrong output. The counts are printed.
/// </summary>
[TestClass]
public sealed class HostileCorpusTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>What a case must give: an error (exit code and a fragment of its one line) or a correct result.</summary>
    private sealed record Case(string Name, string[] Args, int ExpectedCode, string Fragment, Func<(int Code, string Out, string Err), string?>? Check = null);

    private static readonly TimeSpan CaseLimit = TimeSpan.FromSeconds(30);

    [TestMethod]
    public void EveryHostileInputGivesAClearErrorOrTheCorrectResult()
    {
        using var h = new HostileInputs();
        var cases = BuildCases(h);
        int clear = 0, correct = 0;
        var crashes = new List<string>();
        var hangs = new List<string>();
        var silent = new List<string>();
        int threads = torch.get_num_threads();
        try
        {
            foreach (var c in cases)
            {
                var run = Task.Run(() => CliErrorTests.Run(c.Args));
                if (!run.Wait(CaseLimit)) { hangs.Add(c.Name); continue; }
                if (run.IsFaulted) { crashes.Add($"{c.Name}: {run.Exception!.InnerException!.GetType().Name} escaped"); continue; }
                var r = run.Result;
                if (c.ExpectedCode == 0)
                {
                    if (r.Code != 0) { crashes.Add($"{c.Name}: exit {r.Code}: {r.Err.Trim()}"); continue; }
                    var wrong = c.Check?.Invoke(r);
                    if (wrong is null) correct++; else silent.Add($"{c.Name}: {wrong}");
                    continue;
                }
                if (r.Code == 0) { silent.Add($"{c.Name}: exit 0"); continue; }
                var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                bool oneLine = lines.Length == 1 && lines[0].StartsWith("vae: ", StringComparison.Ordinal) && !r.Err.Contains("   at ");
                if (r.Code == c.ExpectedCode && oneLine && lines[0].Contains(c.Fragment, StringComparison.Ordinal)) clear++;
                else crashes.Add($"{c.Name}: exit {r.Code}, stderr '{r.Err.Trim()}' (expected exit {c.ExpectedCode} with '{c.Fragment}')");
            }
        }
        finally
        {
            torch.set_num_threads(threads);
        }
        var summary = $"hostile corpus: {cases.Count} cases, {clear} clear errors, {correct} correct results, {crashes.Count} crashes, {hangs.Count} hangs, {silent.Count} silent-wrong";
        TestContext.WriteLine(summary);
        Console.WriteLine(summary);
        var problems = crashes.Concat(hangs.Select(n => $"{n}: hung")).Concat(silent).ToList();
        Assert.AreEqual(0, problems.Count, summary + "\n" + string.Join("\n", problems));
        Assert.AreEqual(cases.Count, clear + correct);
    }

    private static List<Case> BuildCases(HostileInputs h)
    {
        const int Runtime = Program.RuntimeError, Usage = Program.UsageError;
        var good = h.PathOf("good.zip");
        string Out(string name) => h.PathOf("out", name);
        Directory.CreateDirectory(h.PathOf("out"));
        string[] Info(string model, params string[] more) => ["info", "--model", model, .. more];
        string[] Encode(string model) => ["encode", "--model", model, "--data", "8gaussians", "--count", "20", "--out", Out(Path.GetFileName(model) + ".csv")];
        string[] Sample(string model) => ["sample", "--model", model, "--data", "8gaussians", "--count", "20", "--out", Out(Path.GetFileName(model) + ".png")];
        string[] Evaluate(string model) => ["evaluate", "--model", model, "--data", "8gaussians", "--metrics", "reconstruction", "--json", Out(Path.GetFileName(model) + ".json")];
        string[] Train(string model, string data, params string[] more) => ["train", "--model", model, "--data", data, "--iterations", "1", "--out", Out("train-" + Guid.NewGuid().ToString("N")), .. more];
        string[] TrainOn(string data) => Train("vae", data);
        string? NoNaN((int Code, string Out, string Err) r, string file) =>
            File.ReadAllText(file).Contains("NaN", StringComparison.OrdinalIgnoreCase) ? $"{file} holds NaN" : null;

        var nan = h.Write("nan.zip", h.WithWeight(float.NaN));
        var posInf = h.Write("posinf.zip", h.WithWeight(float.PositiveInfinity));
        var negInf = h.Write("neginf.zip", h.WithWeight(float.NegativeInfinity));
        var huge = h.Write("huge.zip", h.WithWeight(3e38f));
        var cases = new List<Case>
        {
            // Item 1: silent-wrong model files.
            new("nan weight: info", Info(nan), Runtime, "holds 1 non-finite"),
            new("nan weight: encode", Encode(nan), Runtime, "NaN"),
            new("nan weight: sample", Sample(nan), Runtime, "NaN"),
            new("nan weight: evaluate", Evaluate(nan), Runtime, "NaN"),
            new("+inf weight: encode", Encode(posInf), Runtime, "+Inf"),
            new("-inf weight: sample", Sample(negInf), Runtime, "-Inf"),
            new("3e38 weight: encode", Encode(huge), Runtime, "beyond the limit of ±1E+30"),
            new("3e38 weight: info", Info(huge), Runtime, "|w| > 1E+30"),
            new("nan weight: info --allow-nonfinite", Info(nan, "--allow-nonfinite"), 0, "",
                r => r.Out.Contains("suspect:      1 weights") ? null : "the suspect weight was not reported"),
            new("unknown kind: info", Info(h.Write("kind.zip", h.WithConfig(c => c["kind"] = "mystery"))), Runtime, "unknown model kind 'mystery'"),
            new("garbage history: info", Info(h.Write("garbage-history.zip", h.WithEntry(ModelStore.HistoryEntry, "\u0000\u0001garbage\n1,2"u8.ToArray()))), Runtime, "history.csv is damaged"),
            new("crc-failing history: info", Info(h.Write("crc-history.zip", h.WithHistoryCrcFailure())), Runtime, "checksum of history.csv"),
            new("two config.json: info", Info(h.Write("dup-config.zip", h.WithRepeatedEntry(ModelStore.ConfigEntry))), Runtime, "2 entries named 'config.json'"),
            new("two config.json: encode", Encode(h.PathOf("dup-config.zip")), Runtime, "2 entries named 'config.json'"),
            new("two weight entries: sample", Sample(h.Write("dup-weights.zip", h.WithRepeatedEntry(ModelStore.WeightsEntry))), Runtime, "2 entries named 'weights.safetensors'"),
            new("two histories: info", Info(h.Write("dup-history.zip", h.WithRepeatedEntry(ModelStore.HistoryEntry))), Runtime, "2 entries named 'history.csv'"),
            // Item 2: memory before validation.
            new("hidden sizes [30000, 30000]: encode", Encode(h.Write("inflated.zip", h.WithConfig(c => c["options"]!["mlpHiddenSizes"] = new System.Text.Json.Nodes.JsonArray(30000, 30000)))), Runtime, "checked before building the model"),
            new("latent 100000000: sample", Sample(h.Write("latent.zip", h.WithConfig(c => { c["latentDim"] = 100_000_000; c["options"]!["latentDim"] = 100_000_000; }))), Runtime, "checked before building the model"),
            new("sample shape [3000000000]: encode", Encode(h.Write("shape.zip", h.WithConfig(c =>
                {
                    c["sampleShape"] = new System.Text.Json.Nodes.JsonArray(3_000_000_000L);
                    c["options"]!["sampleShape"] = new System.Text.Json.Nodes.JsonArray(3_000_000_000L);
                }))), Runtime, "checked before building the model"),
            new("png bomb in image folder", TrainOn("images:" + h.ImageFolderWith("png-bomb", "b.png", HostileInputs.PngBomb(30_000))), Runtime, "more than the limit of 50,000,000"),
            new("jpeg bomb in image folder", TrainOn("images:" + h.ImageFolderWith("jpeg-bomb", "b.jpg", HostileInputs.JpegBomb(60_000))), Runtime, "more than the limit of 50,000,000"),
            new("idx declaring 2 GB", TrainOn("idx:" + h.Write("huge.idx", HostileInputs.IdxHeader(2000, 1000, 1000))), Runtime, "more than the limit of 1,073,741,824"),
            new("gzip idx bomb declaring 1.2 GB", TrainOn("idx:" + h.Write("bomb-declared.gz", HostileInputs.Gzip(HostileInputs.IdxHeader(1_500_000, 28, 28), 1 << 20))), Runtime, "more than the limit"),
            new("gzip idx bomb past its header", TrainOn("idx:" + h.Write("bomb-trailing.gz", HostileInputs.Gzip(HostileInputs.IdxHeader(1, 28, 28), 64 << 20))), Runtime, "bytes after"),
            new("gzip idx promising 900 MB", TrainOn("idx:" + h.Write("short.gz", HostileInputs.Gzip(HostileInputs.IdxHeader(900, 1000, 1000), 1000))), Runtime, "truncated"),
            new("raw idx promising 900 MB", TrainOn("idx:" + h.Write("short.idx", [.. HostileInputs.IdxHeader(900, 1000, 1000), 1, 2, 3])), Runtime, "truncated"),
            // Item 3: hangs.
            new("folder as --model", Info(Directory.CreateDirectory(h.PathOf("folder.zip")).FullName), Runtime, "is a folder, not a file"),
            new("empty model file", Info(h.Write("empty.zip", [])), Runtime, "is empty or is not a regular file"),
            new("--threads 1000", ["sample", "--model", good, "--data", "8gaussians", "--count", "10", "--out", Out("t.png"), "--threads", "1000"], Usage, "between 1 and 256"),
            new("--components 100000", Train("soft-intro", "8gaussians", "--prior", "vamp", "--components", "100000"), Usage, "between 1 and 1024"),
            // Inputs that are fine, so that nothing above regressed into refusing them.
            new("good model: info", Info(good), 0, "", r => r.Out.Contains("history:      2 rows") ? null : "the history was not described"),
            new("good model: encode", Encode(good), 0, "", r => NoNaN(r, Out("good.zip.csv"))),
            new("good model: sample", Sample(good), 0, "", r => new FileInfo(Out("good.zip.png")).Length > 100 ? null : "no PNG written"),
            new("--threads beyond 4 per core", ["encode", "--model", good, "--data", "8gaussians", "--count", "10", "--out", Out("threads.csv"), "--threads", "256"], 0, "",
                r => 4 * Environment.ProcessorCount >= 256 || r.Err.Contains($"using {4 * Environment.ProcessorCount}") ? null : "no warning about the reduced thread count"),
            new("--components 16: one step", Train("soft-intro", "8gaussians", "--prior", "vamp", "--components", "16", "--batch-size", "64"), 0, "",
                r => r.Out.Contains("K=16") ? null : "the banner does not show K=16"),
        };
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            var fifoModel = HostileInputs.MakeFifo(h.PathOf("fifo.zip"));
            cases.Add(new("fifo as --model: info", Info(fifoModel), Runtime, "not a regular file"));
            cases.Add(new("fifo as --model: encode", Encode(fifoModel), Runtime, "not a regular file"));
            var linkToFifo = h.PathOf("link-to-fifo.zip");
            File.CreateSymbolicLink(linkToFifo, fifoModel);
            cases.Add(new("link to a fifo as --model", Info(linkToFifo), Runtime, "not a regular file"));
            var linkToGood = h.PathOf("link-to-good.zip");
            File.CreateSymbolicLink(linkToGood, good);
            cases.Add(new("link to a good model: info", Info(linkToGood), 0, "", r => r.Out.Contains("kind:         vae") ? null : "the kind was not described"));
            var dangling = h.PathOf("dangling.zip");
            File.CreateSymbolicLink(dangling, h.PathOf("nothing-here.zip"));
            cases.Add(new("dangling link as --model", Info(dangling), Runtime, "does not exist"));
            cases.Add(new("fifo a.png in image folder", TrainOn("images:" + h.ImageFolderWith("fifo-images", "b.png", null)), Runtime, "not a regular file"));
            cases.Add(new("fifo as idx file", TrainOn("idx:" + HostileInputs.MakeFifo(h.PathOf("fifo.idx"))), Runtime, "not a regular file"));
            var loops = h.ImageFolderWith("link-loops", "c.png", File.ReadAllBytes(h.PathOf("png-bomb", "a.png")));
            Directory.CreateSymbolicLink(Path.Combine(loops, "up1"), loops);
            Directory.CreateSymbolicLink(Path.Combine(loops, "up2"), ".");
            // The folder holds two images; with the old recursion the walk never ended. Asking for batches of 3 makes the
            // tool say how many samples it read: 2, not 2 × 40 or an endless walk.
            cases.Add(new("link loops in image folder", Train("vae", "images:" + loops, "--batch-size", "3"), Runtime, "batch size 3 exceeds the 2 samples"));
            if (File.Exists("/dev/zero")) cases.Add(new("/dev/zero as --model", Info("/dev/zero"), Runtime, "not a regular file"));
        }
        return cases;
    }
}
