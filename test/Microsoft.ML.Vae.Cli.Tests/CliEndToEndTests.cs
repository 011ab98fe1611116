using System.Text.Json.Nodes;

namespace Microsoft.ML.Vae.Cli.Tests;

/// <summary>train → info → sample → encode → evaluate on a 2-D toy set, in-process.</summary>
[TestClass]
public sealed class CliEndToEndTests
{
    private static string _dir = "";

    [ClassInitialize]
    public static void TrainOnce(TestContext _)
    {
        _dir = Path.Combine(Path.GetTempPath(), $"vae-cli-{Guid.NewGuid():N}");
        var r = CliErrorTests.Run("train", "--model", "vae", "--decoupled-prior", "--data", "8gaussians", "--iterations", "150",
            "--batch-size", "128", "--seed", "3", "--log-interval", "50", "--out", _dir);
        Assert.AreEqual(0, r.Code, r.Err);
    }

    [ClassCleanup]
    public static void Cleanup()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    private static string ModelPath => Path.Combine(_dir, "model.zip");

    [TestMethod]
    public void TrainWritesItsOutputs()
    {
        foreach (var f in new[] { "model.zip", "samples.png", "history.csv", "loss-curve.svg" })
            Assert.IsTrue(File.Exists(Path.Combine(_dir, f)), $"{f} missing");
    }

    [TestMethod]
    public void InfoDescribesTheModel()
    {
        var r = CliErrorTests.Run("info", "--model", ModelPath);
        Assert.AreEqual(0, r.Code, r.Err);
        StringAssert.Contains(r.Out, "dp-vae");
        StringAssert.Contains(r.Out, "latent dim:   2");
    }

    [TestMethod]
    public void SampleWritesPng()
    {
        var png = Path.Combine(_dir, "s.png");
        var r = CliErrorTests.Run("sample", "--model", ModelPath, "--count", "500", "--out", png, "--data", "8gaussians");
        Assert.AreEqual(0, r.Code, r.Err);
        var bytes = File.ReadAllBytes(png);
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes.Take(4).ToArray());
        var low = CliErrorTests.Run("sample", "--model", ModelPath, "--count", "100", "--low-posterior", "--data", "8gaussians", "--out", Path.Combine(_dir, "lp.png"));
        Assert.AreEqual(0, low.Code, low.Err);
    }

    [TestMethod]
    public void EncodeWritesCsv()
    {
        var csv = Path.Combine(_dir, "z.csv");
        var r = CliErrorTests.Run("encode", "--model", ModelPath, "--data", "8gaussians", "--count", "100", "--out", csv);
        Assert.AreEqual(0, r.Code, r.Err);
        var lines = File.ReadAllLines(csv);
        Assert.AreEqual("z0,z1", lines[0]);
        Assert.AreEqual(101, lines.Length);
    }

    [TestMethod]
    public void EncodeDrawsTheLatentCoveragePicture()
    {
        var png = Path.Combine(_dir, "latents.png");
        var r = CliErrorTests.Run("encode", "--model", ModelPath, "--data", "8gaussians", "--count", "300", "--plot", png);
        Assert.AreEqual(0, r.Code, r.Err);
        StringAssert.Contains(r.Out, "300 encodings (blue) and as many prior draws (orange)");
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(png).Take(4).ToArray());
        var none = CliErrorTests.Run("encode", "--model", ModelPath, "--data", "8gaussians");
        Assert.AreEqual(Program.UsageError, none.Code);
        StringAssert.Contains(none.Err, "--out latents.csv and/or --plot latents.png");
    }

    [TestMethod]
    public void EvaluateWritesJson()
    {
        var json = Path.Combine(_dir, "m.json");
        var r = CliErrorTests.Run("evaluate", "--model", ModelPath, "--data", "8gaussians", "--metrics", "reconstruction,nll,symmetricKl,leakage,flowFit",
            "--nll-samples", "50", "--nll-count", "200", "--json", json);
        Assert.AreEqual(0, r.Code, r.Err);
        var obj = JsonNode.Parse(File.ReadAllText(json))!.AsObject();
        foreach (var key in new[] { "reconstructionMse", "nll", "bitsPerDim", "symmetricKl", "leakage", "flowFitGaussianKl", "flowFitFarPriorShare", "flowFitPoor" })
            Assert.IsTrue(obj.ContainsKey(key), $"{key} missing");
        Assert.IsTrue(obj["leakage"]!.AsObject().ContainsKey("-10"));
        Assert.IsTrue(double.IsFinite(obj["nll"]!.GetValue<double>()));
        Assert.HasCount(2, obj["flowFitMappedMean"]!.AsArray());
        StringAssert.Contains(r.Out, "flowFitVerdict");
    }

    [TestMethod]
    public void AuthorsLossIsOneFlagAndInfoSaysSo()
    {
        var dir = Path.Combine(_dir, "authors");
        var r = CliErrorTests.Run("train", "--model", "beta-tc", "--decoupled-prior", "--authors-loss", "--data", "8gaussians", "--iterations", "5",
            "--batch-size", "64", "--seed", "1", "--out", dir);
        Assert.AreEqual(0, r.Code, r.Err);
        StringAssert.Contains(r.Out, "dp-beta-tc with the authors' exact loss");
        var info = CliErrorTests.Run("info", "--model", Path.Combine(dir, "model.zip"));
        Assert.AreEqual(0, info.Code, info.Err);
        StringAssert.Contains(info.Out, "the authors' exact β-TCVAE loss");
        StringAssert.Contains(info.Out, "\"reproduceMssWeightQuirk\": true");
    }

    [TestMethod]
    public void SoftIntroScheduleIsGivenAsIsAndShownByInfo()
    {
        var dir = Path.Combine(_dir, "schedule");
        // 10 iterations: without --warmup and --lr-milestones the preset's schedule would be scaled down to this length.
        var r = CliErrorTests.Run("train", "--model", "soft-intro", "--data", "8gaussians", "--iterations", "10", "--warmup", "4",
            "--lr-milestones", "6,8,9", "--batch-size", "32", "--seed", "1", "--out", dir);
        Assert.AreEqual(0, r.Code, r.Err);
        var info = CliErrorTests.Run("info", "--model", Path.Combine(dir, "model.zip"));
        Assert.AreEqual(0, info.Code, info.Err);
        StringAssert.Contains(info.Out, "schedule:     10 iterations, warm-up 4, LR ×0.1 at 6, 8, 9");
        var scaled = CliErrorTests.Run("train", "--model", "soft-intro", "--data", "8gaussians", "--iterations", "10", "--batch-size", "32",
            "--seed", "1", "--out", Path.Combine(_dir, "scaled"));
        Assert.AreEqual(0, scaled.Code, scaled.Err);
        var scaledInfo = CliErrorTests.Run("info", "--model", Path.Combine(_dir, "scaled", "model.zip"));
        StringAssert.Contains(scaledInfo.Out, "schedule:     10 iterations, warm-up 1, LR ×0.1 at 3, 5");
    }
}
