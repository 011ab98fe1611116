using Microsoft.ML.Vae.Cli;

namespace Microsoft.ML.Vae.Cli.Tests;

/// <summary>Bad input gives one clear line on stderr and a non-zero exit code, never a stack trace.</summary>
[TestClass]
public sealed class CliErrorTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = Program.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }

    private static void AssertOneLineError((int Code, string Out, string Err) r, int code, string fragment)
    {
        Assert.AreEqual(code, r.Code, $"stderr: {r.Err}");
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual(1, lines.Length, $"expected one line on stderr, got: {r.Err}");
        StringAssert.StartsWith(lines[0], "vae: ");
        StringAssert.Contains(lines[0], fragment);
        Assert.IsFalse(r.Err.Contains("   at "), "stack trace leaked");
    }

    [TestMethod]
    public void NoArgumentsPrintsUsage()
    {
        var r = Run();
        Assert.AreEqual(Program.UsageError, r.Code);
        StringAssert.Contains(r.Out, "usage: vae <command>");
    }

    [TestMethod]
    public void HelpListsOptions()
    {
        var r = Run("train", "--help");
        Assert.AreEqual(0, r.Code);
        StringAssert.Contains(r.Out, "--decoupled-prior");
    }

    [DataTestMethod]
    [DataRow(new[] { "fly" }, "Unknown command 'fly'")]
    [DataRow(new[] { "train", "--model", "vae", "--data", "8gaussians", "--out", "x", "--bogus" }, "Unknown option '--bogus'")]
    [DataRow(new[] { "train", "--model", "vae", "--data", "8gaussians" }, "needs --out")]
    [DataRow(new[] { "train", "--model", "unicorn", "--data", "8gaussians", "--out", "x" }, "must be one of")]
    [DataRow(new[] { "train", "--model", "vae", "--data", "mnist-9000", "--out", "x" }, "Unknown dataset 'mnist-9000'")]
    [DataRow(new[] { "train", "--model", "vae", "--data", "8gaussians", "--out", "x", "--iterations", "ten" }, "expects an integer")]
    [DataRow(new[] { "train", "--model", "vae", "--data", "8gaussians", "--out", "x", "--iterations", "0" }, "must be between")]
    [DataRow(new[] { "train", "--model", "vae", "--data", "8gaussians", "--out", "x", "--lr" }, "needs a value")]
    [DataRow(new[] { "train", "--model", "vae", "--data", "8gaussians", "--out", "x", "--device", "tpu" }, "Unknown device 'tpu'")]
    [DataRow(new[] { "train", "--model", "vae", "--data", "8gaussians", "--out", "x", "--threads", "0" }, "must be between")]
    [DataRow(new[] { "train", "--model", "vae", "--data", "8gaussians", "--out", "x", "--epochs", "2" }, "--epochs needs a finite data set")]
    [DataRow(new[] { "train", "--model", "vae", "--data", "8gaussians", "--out", "x", "--components", "4" }, "--components applies to soft-intro")]
    [DataRow(new[] { "evaluate", "--model", "m.zip", "--data", "8gaussians", "--metrics", "magic" }, "Unknown metric 'magic'")]
    [DataRow(new[] { "train", "--model", "soft-intro", "--data", "8gaussians", "--out", "x", "--gamma", "3" }, "--gamma does not apply to soft-intro")]
    [DataRow(new[] { "train", "--model", "vae", "--data", "8gaussians", "--out", "x", "--mse-weight", "0" }, "must be between")]
    [DataRow(new[] { "train", "--model", "vae", "--data", "8gaussians", "--out", "x", "--posterior-normalization" }, "--posterior-normalization applies to the decoupled prior")]
    [DataRow(new[] { "train", "--model", "vae", "--data", "8gaussians", "--out", "x", "--authors-loss" }, "--authors-loss applies to beta-tc")]
    [DataRow(new[] { "train", "--model", "soft-intro", "--data", "8gaussians", "--out", "x", "--authors-loss" }, "--authors-loss does not apply to soft-intro")]
    [DataRow(new[] { "train", "--model", "vae", "--data", "8gaussians", "--out", "x", "--warmup", "5" }, "--warmup applies to soft-intro")]
    [DataRow(new[] { "train", "--model", "soft-intro", "--data", "8gaussians", "--out", "x", "--lr-milestones", "10,x" }, "--lr-milestones expects positive whole")]
    [DataRow(new[] { "train", "--model", "soft-intro", "--data", "8gaussians", "--out", "x", "--lr-milestones", "20,10" }, "--lr-milestones must increase")]
    [DataRow(new[] { "train", "--model", "soft-intro", "--data", "8gaussians", "--out", "x", "--iterations", "50", "--warmup", "50" }, "leaves no introspective iterations")]
    public void UsageErrorsAreOneLine(string[] args, string fragment) => AssertOneLineError(Run(args), Program.UsageError, fragment);

    [TestMethod]
    public void MissingModelFileIsOneLine() =>
        AssertOneLineError(Run("info", "--model", Path.Combine(Path.GetTempPath(), "does-not-exist.zip")), Program.RuntimeError, "does not exist");

    [TestMethod]
    public void UnavailableCudaDeviceIsOneLine() =>
        // Without CUDA: "not supported: CUDA was requested but ..."; with a GPU: "CUDA device 99 does not exist".
        AssertOneLineError(Run("train", "--model", "vae", "--data", "8gaussians", "--out", Path.GetTempPath(), "--device", "cuda:99"),
            Program.RuntimeError, "CUDA");

    [TestMethod]
    public void MissingIdxFileIsOneLine() =>
        AssertOneLineError(Run("train", "--model", "vae", "--data", "idx:/nonexistent/images.idx", "--out", Path.GetTempPath()), Program.RuntimeError, "does not exist");

    [TestMethod]
    public void CorruptModelFileIsOneLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"corrupt-{Guid.NewGuid():N}.zip");
        File.WriteAllBytes(path, new byte[] { 0x50, 0x4B, 0x03, 0x04, 1, 2, 3 });
        try
        {
            foreach (var cmd in new[] { "info", "sample" })
            {
                var args = cmd == "info" ? new[] { cmd, "--model", path } : new[] { cmd, "--model", path, "--out", path + ".png" };
                AssertOneLineError(Run(args), Program.RuntimeError, "invalid file");
            }
        }
        finally { File.Delete(path); }
    }
}
