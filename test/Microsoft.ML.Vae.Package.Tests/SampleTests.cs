namespace Microsoft.ML.Vae.Package.Tests;

/// <summary>
/// The ML.NET sample as a user runs it (its Release build from the solution), on a small budget: the VAE
/// features against the raw-pixel baseline, the saved model reloaded with plain mlContext.Model.Load, the
/// generated grid written through ConvertToImage.
/// </summary>
[TestClass]
public sealed class SampleTests
{
    [TestMethod]
    public void FashionMnistFeaturizer_RunsOnASmallBudget()
    {
        string dll = Path.Combine(PackageFeed.RepoRoot, "samples", "FashionMnistFeaturizer", "bin", PackageFeed.Configuration, "net10.0", "FashionMnistFeaturizer.dll");
        if (!File.Exists(dll)) Assert.Inconclusive($"{dll} is not built (eng/test.sh builds the whole solution first).");
        if (!Directory.Exists(Environment.GetEnvironmentVariable("VAE_FASHION_MNIST_DIR") ?? "/usr/share/datasets/fashion-mnist"))
            Assert.Inconclusive("Fashion-MNIST is not installed (eng/setup.sh installs it).");

        string work = Directory.CreateTempSubdirectory("vae-sample-").FullName;
        try
        {
            string model = Path.Combine(work, "model.zip");
            var run = DotnetProcess.Run("dotnet", [dll, "600", "200", model], work, TimeSpan.FromMinutes(4)).EnsureSuccess("the sample");
            StringAssert.Contains(run.Output, "VAE features (32): micro accuracy");
            StringAssert.Contains(run.Output, "raw pixels (784): micro accuracy");
            StringAssert.Contains(run.Output, "Reloaded model: true class");
            Assert.IsTrue(new FileInfo(model).Length > 0, "no model file");
            string grid = Path.ChangeExtension(model, ".samples.png");
            var png = File.ReadAllBytes(grid);
            CollectionAssert.AreEqual(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png.Take(4).ToArray(), "the grid is not a PNG");
            // IHDR: width and height, big-endian, at bytes 16–23: 8 × 28 pixels each.
            Assert.AreEqual(224, (png[16] << 24) | (png[17] << 16) | (png[18] << 8) | png[19]);
            Assert.AreEqual(224, (png[20] << 24) | (png[21] << 16) | (png[22] << 8) | png[23]);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
