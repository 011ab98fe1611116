using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.Vae.Core.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// Checks the input contract of <see cref="TorchScriptInceptionExtractor"/> (channel repeat,
/// bilinear resize to 299, [0, 1] scaling, output flattening) against a small scripted stand-in
/// module and reference outputs that Python computes with PyTorch's own interpolate. Needs
/// python3 with torch; inconclusive without it.
/// </summary>
[TestClass]
public sealed class FeaturesInceptionTests
{
    // The stand-in checks its input shape, maps [0, 1] to [−1, 1] as pytorch-fid's InceptionV3 does,
    // and returns 4×4 average-pooled values plus a 3×3 patch of raw pixels per channel, as [N, 75, 1, 1]
    // like the pool3 block. The references apply the documented preprocessing in Python.
    private const string Script = """
        import sys
        import numpy as np
        import torch
        import torch.nn.functional as F

        class StandIn(torch.nn.Module):
            def forward(self, x):
                if x.dim() != 4 or x.size(1) != 3 or x.size(2) != 299 or x.size(3) != 299:
                    raise RuntimeError("stand-in expects [N, 3, 299, 299]")
                y = 2.0 * x - 1.0
                pooled = F.adaptive_avg_pool2d(y, (4, 4)).flatten(1)
                patch = y[:, :, 150:153, 10:13].flatten(1)
                return torch.cat([pooled, patch], 1)[:, :, None, None]

        out = sys.argv[1]
        module = torch.jit.script(StandIn())
        module.save(out + "/standin.pt")

        def gray():
            n, i, j = np.meshgrid(np.arange(3), np.arange(28), np.arange(28), indexing="ij")
            return torch.tensor(((n * 7 + i * 3 + j * 5) % 29) / 28.0, dtype=torch.float32)[:, None]

        def color():
            n, c, i, j = np.meshgrid(np.arange(2), np.arange(3), np.arange(20), np.arange(20), indexing="ij")
            return torch.tensor(((n * 11 + c * 5 + i * 2 + j * 3) % 17) / 16.0, dtype=torch.float32)

        def reference(x):
            if x.size(1) == 1:
                x = x.repeat(1, 3, 1, 1)
            x = F.interpolate(x, size=(299, 299), mode="bilinear", align_corners=False)
            return module(x).flatten(1)

        with torch.no_grad():
            np.savetxt(out + "/gray.txt", reference(gray()).numpy(), fmt="%.9g")
            np.savetxt(out + "/color.txt", reference(color()).numpy(), fmt="%.9g")
        """;

    private const int StandInDimension = 4 * 4 * 3 + 3 * 3 * 3;

    private static string? _folder;

    [ClassInitialize]
    public static void BuildStandIn(TestContext context)
    {
        string folder = Path.Combine(Path.GetTempPath(), "vae-inception-standin-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "make.py"), Script);
        foreach (var python in new[] { "python3", "/usr/bin/python3" })
        {
            if (Run(python, $"\"{Path.Combine(folder, "make.py")}\" \"{folder}\"") && File.Exists(Path.Combine(folder, "color.txt")))
            {
                _folder = folder;
                return;
            }
        }
        Directory.Delete(folder, recursive: true);
    }

    [ClassCleanup]
    public static void DeleteStandIn()
    {
        if (_folder is not null) Directory.Delete(_folder, recursive: true);
    }

    private static bool Run(string fileName, string arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(fileName, arguments)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            });
            if (process is null) return false;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            if (!process.WaitForExit(120_000)) { process.Kill(); return false; }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }

    private static string Folder => _folder ?? throw new AssertInconclusiveException("python3 with torch is not available to script the stand-in module.");

    private static TorchScriptInceptionExtractor StandIn(InceptionInputRange range = InceptionInputRange.ZeroToOne, int dimension = StandInDimension) =>
        new(Path.Combine(Folder, "standin.pt"), torch.CPU,
            new InceptionExtractorOptions { FeatureDimension = dimension, InputRange = range, BatchSize = 2 });

    private static float[] Gray()
    {
        var x = new float[3 * 28 * 28];
        for (int n = 0; n < 3; n++)
            for (int i = 0; i < 28; i++)
                for (int j = 0; j < 28; j++) x[(n * 28 + i) * 28 + j] = (float)(((n * 7 + i * 3 + j * 5) % 29) / 28.0);
        return x;
    }

    private static float[] Color()
    {
        var x = new float[2 * 3 * 20 * 20];
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < 20; i++)
                    for (int j = 0; j < 20; j++) x[((n * 3 + c) * 20 + i) * 20 + j] = (float)(((n * 11 + c * 5 + i * 2 + j * 3) % 17) / 16.0);
        return x;
    }

    private static double[] Reference(string name) =>
        File.ReadAllLines(Path.Combine(Folder, name))
            .SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();

    private static void AssertMatches(double[] expected, float[] actual)
    {
        Assert.HasCount(expected.Length, actual);
        for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], actual[i], 2e-5, $"feature value {i}");
    }

    [TestMethod]
    public void GrayImagesAreRepeatedResizedAndFedInZeroToOne()
    {
        using var extractor = StandIn();
        long baseline = LiveTensors.Count;
        using (var scope = torch.NewDisposeScope())
        {
            var features = extractor.Extract(torch.tensor(Gray(), 3, 1, 28, 28));
            CollectionAssert.AreEqual(new long[] { 3, StandInDimension }, features.shape);
            AssertMatches(Reference("gray.txt"), features.data<float>().ToArray());
        }
        Assert.AreEqual(baseline, LiveTensors.Count, "Extraction leaked tensors.");
        Assert.AreEqual("inception-v3", extractor.Name);
    }

    [TestMethod]
    public void ColorImagesAreResizedOnly()
    {
        using var extractor = StandIn();
        using var scope = torch.NewDisposeScope();
        var features = extractor.Extract(torch.tensor(Color(), 2, 3, 20, 20));
        AssertMatches(Reference("color.txt"), features.data<float>().ToArray());
    }

    [TestMethod]
    public void MinusOneToOneRangeScalesBeforeTheModule()
    {
        using var zeroToOne = StandIn();
        using var minusOneToOne = StandIn(InceptionInputRange.MinusOneToOne);
        using var scope = torch.NewDisposeScope();
        var batch = torch.tensor(Gray(), 3, 1, 28, 28);
        var a = zeroToOne.Prepare(batch);
        var b = minusOneToOne.Prepare(batch);
        CollectionAssert.AreEqual(new long[] { 3, 3, 299, 299 }, a.shape);
        Assert.AreEqual(0.0, (b - (a * 2.0 - 1.0)).abs().max().item<float>(), 1e-6);
    }

    [TestMethod]
    public void UnsupportedInputsAndWrongDimensionsAreReported()
    {
        using var extractor = StandIn();
        using var scope = torch.NewDisposeScope();
        var e = Assert.ThrowsExactly<ArgumentException>(() => extractor.Extract(torch.rand([2, 2, 16, 16])));
        StringAssert.Contains(e.Message, "2×16×16");
        Assert.ThrowsExactly<ArgumentException>(() => extractor.Extract(torch.rand([2, 1, 16, 16]) * 2.0 - 1.0));
        Assert.ThrowsExactly<ArgumentException>(() => extractor.Extract(torch.rand([16, 16])));
        using var wrongDimension = StandIn(dimension: 2048);
        var mismatch = Assert.ThrowsExactly<InvalidOperationException>(() => wrongDimension.Extract(torch.rand([2, 1, 16, 16])));
        StringAssert.Contains(mismatch.Message, "75 features");
    }

    [TestMethod]
    public void MissingFileIsReported()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-such-inception-" + Guid.NewGuid().ToString("N") + ".pt");
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => new TorchScriptInceptionExtractor(missing));
        Assert.AreEqual(missing, e.FileName);
        StringAssert.Contains(e.Message, missing);
        Assert.ThrowsExactly<ArgumentException>(() => new TorchScriptInceptionExtractor(""));
        Assert.ThrowsExactly<ArgumentNullException>(() => new TorchScriptInceptionExtractor(null!));
    }

    [TestMethod]
    public void UnreadableFileIsReportedInOneLine()
    {
        string path = Path.Combine(Path.GetTempPath(), "corrupt-inception-" + Guid.NewGuid().ToString("N") + ".pt");
        try
        {
            var junk = new byte[4096];
            new Random(3).NextBytes(junk);
            File.WriteAllBytes(path, junk);
            var e = Assert.ThrowsExactly<InvalidDataException>(() => new TorchScriptInceptionExtractor(path));
            StringAssert.Contains(e.Message, "Cannot load TorchScript module");
            StringAssert.Contains(e.Message, path);
            Assert.IsFalse(e.Message.Contains("Exception raised from"), e.Message);
            Assert.IsFalse(e.Message.Contains('\n'), e.Message);
            File.WriteAllBytes(path, []);
            Assert.ThrowsExactly<InvalidDataException>(() => new TorchScriptInceptionExtractor(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void AnErrorInsideTheModuleGivesItsCause()
    {
        // The stand-in raises for any input other than 299×299; a 64-pixel input size makes it do so.
        using var extractor = new TorchScriptInceptionExtractor(Path.Combine(Folder, "standin.pt"), torch.CPU,
            new InceptionExtractorOptions { FeatureDimension = StandInDimension, InputSize = 64 });
        using var scope = torch.NewDisposeScope();
        var e = Assert.ThrowsExactly<InvalidOperationException>(() => extractor.Extract(torch.rand([2, 1, 16, 16])));
        StringAssert.Contains(e.Message, "stand-in expects [N, 3, 299, 299]");
        Assert.IsFalse(e.Message.Contains('\n'), e.Message);
        Assert.IsNotNull(e.InnerException, "the full TorchScript traceback stays available");
    }
}
