using Microsoft.ML.Vae.Core.Persistence;
using TorchSharp;

namespace Microsoft.ML.Vae.Cli.Tests;

/// <summary>Exit codes and messages for untrusted model files, pipes given as files and out-of-range options.</summary>
[TestClass]
public sealed class CliHardeningTests
{
    private static HostileInputs _inputs = null!;

    [ClassInitialize]
    public static void CreateInputs(TestContext _) => _inputs = new HostileInputs();

    [ClassCleanup]
    public static void DeleteInputs() => _inputs.Dispose();

    private static void AssertOneLine((int Code, string Out, string Err) r, int code, params string[] fragments)
    {
        Assert.AreEqual(code, r.Code, $"stdout: {r.Out}\nstderr: {r.Err}");
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual(1, lines.Length, r.Err);
        StringAssert.StartsWith(lines[0], "vae: ");
        foreach (var f in fragments) StringAssert.Contains(lines[0], f);
    }

    private static (int Code, string Out, string Err) RunBounded(params string[] args)
    {
        var run = Task.Run(() => CliErrorTests.Run(args));
        Assert.IsTrue(run.Wait(TimeSpan.FromSeconds(30)), $"vae {string.Join(' ', args)} hung");
        return run.Result;
    }

    [TestMethod]
    public void NonFiniteWeightsFailEveryCommandButInfoWhenAllowed()
    {
        var nan = _inputs.Write("cli-nan.zip", _inputs.WithWeight(float.NaN));
        AssertOneLine(CliErrorTests.Run("info", "--model", nan), Program.RuntimeError, "invalid file", "NaN", "--allow-nonfinite");
        AssertOneLine(CliErrorTests.Run("encode", "--model", nan, "--data", "8gaussians", "--count", "5", "--out", _inputs.PathOf("nan.csv")), Program.RuntimeError, "NaN");
        Assert.IsFalse(File.Exists(_inputs.PathOf("nan.csv")), "no CSV of NaN rows");
        var allowed = CliErrorTests.Run("info", "--model", nan, "--allow-nonfinite");
        Assert.AreEqual(0, allowed.Code, allowed.Err);
        StringAssert.Contains(allowed.Out, "suspect:      1 weights are NaN, ±Inf or beyond ±1E+30");
    }

    [TestMethod]
    public void InfoRefusesUnknownKindsAndDamagedHistories()
    {
        AssertOneLine(CliErrorTests.Run("info", "--model", _inputs.Write("cli-kind.zip", _inputs.WithConfig(c => c["kind"] = "mystery"))),
            Program.RuntimeError, "unknown model kind 'mystery'", "Known kinds:", "dp-vae");
        AssertOneLine(CliErrorTests.Run("info", "--model", _inputs.Write("cli-history.zip", _inputs.WithEntry(ModelStore.HistoryEntry, "garbage"u8.ToArray()))),
            Program.RuntimeError, "history.csv is damaged");
        AssertOneLine(CliErrorTests.Run("info", "--model", _inputs.Write("cli-crc.zip", _inputs.WithHistoryCrcFailure())), Program.RuntimeError, "checksum of history.csv");
        var good = CliErrorTests.Run("info", "--model", _inputs.PathOf("good.zip"));
        Assert.AreEqual(0, good.Code, good.Err);
        StringAssert.Contains(good.Out, "history:      2 rows");
    }

    [TestMethod]
    [DataRow("config.json")]
    [DataRow("weights.safetensors")]
    public void RepeatedEntriesAreRefused(string name) =>
        AssertOneLine(CliErrorTests.Run("info", "--model", _inputs.Write($"cli-dup-{name}.zip", _inputs.WithRepeatedEntry(name))),
            Program.RuntimeError, $"holds 2 entries named '{name}'");

    [TestMethod]
    public void FoldersAndPipesAsModelsAreRefusedWithoutBlocking()
    {
        var folder = Directory.CreateDirectory(_inputs.PathOf("cli-folder.zip")).FullName;
        AssertOneLine(RunBounded("info", "--model", folder), Program.RuntimeError, "is a folder, not a file");
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        var fifo = HostileInputs.MakeFifo(_inputs.PathOf("cli-fifo.zip"));
        AssertOneLine(RunBounded("info", "--model", fifo), Program.RuntimeError, "not a regular file");
        AssertOneLine(RunBounded("sample", "--model", fifo, "--count", "5", "--out", _inputs.PathOf("fifo.png")), Program.RuntimeError, "not a regular file");
    }

    [TestMethod]
    [DataRow("1000", "between 1 and 256")]
    [DataRow("257", "between 1 and 256")]
    public void ThreadsBeyondTheLimitAreUsageErrors(string threads, string fragment) =>
        AssertOneLine(CliErrorTests.Run("encode", "--model", _inputs.PathOf("good.zip"), "--data", "8gaussians", "--out", _inputs.PathOf("t.csv"), "--threads", threads),
            Program.UsageError, fragment);

    [TestMethod]
    public void ThreadsBeyondFourPerCoreAreReducedWithAWarning()
    {
        int useful = 4 * Environment.ProcessorCount;
        if (useful >= 256) Assert.Inconclusive("This machine has enough cores for 256 threads.");
        int before = torch.get_num_threads();
        try
        {
            var r = CliErrorTests.Run("encode", "--model", _inputs.PathOf("good.zip"), "--data", "8gaussians", "--count", "5", "--out", _inputs.PathOf("w.csv"), "--threads", "256");
            Assert.AreEqual(0, r.Code, r.Err);
            StringAssert.Contains(r.Err, $"vae: warning: --threads 256 is more than 4 per core on this {Environment.ProcessorCount}-core machine; using {useful}.");
            Assert.AreEqual(useful, torch.get_num_threads());
        }
        finally
        {
            torch.set_num_threads(before);
        }
    }

    [TestMethod]
    [DataRow("100000")]
    [DataRow("1025")]
    public void MixtureComponentsBeyondTheLimitAreUsageErrors(string k) =>
        AssertOneLine(CliErrorTests.Run("train", "--model", "soft-intro", "--prior", "vamp", "--components", k, "--data", "8gaussians", "--out", _inputs.PathOf("k")),
            Program.UsageError, "'--components'", "between 1 and 1024");
}
