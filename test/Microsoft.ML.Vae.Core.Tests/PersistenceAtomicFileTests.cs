using Microsoft.ML.Vae.TestSupport;
using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Imaging;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Persistence.SafeTensors;
using Microsoft.ML.Vae.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// Every file the library writes is atomic: a write that fails part-way (simulated by a stream that throws
/// after a number of bytes, as a full disk does) raises <see cref="IOException"/>, leaves the previous file
/// byte for byte and leaves no temporary file; leftovers of killed writers are removed by the next write.
/// </summary>
[TestClass]
public sealed class PersistenceAtomicFileTests : LeakCheckedTest
{
    private static IDisposable FullDisk(long budget) => AtomicFile.InterceptForTesting((_, s) => new FullDiskStream(s, budget));

    private static void AssertOnlyFile(string folder, string name)
    {
        var names = Directory.GetFiles(folder).Select(Path.GetFileName).ToArray();
        CollectionAssert.AreEqual(new[] { name }, names, $"files left: {string.Join(", ", names)}");
    }

    [TestMethod]
    public void FailedWriteKeepsTheOldFileAndLeavesNoTemporary()
    {
        using var files = new DataTestFiles();
        var path = files.PathOf("out.bin");
        var old = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        File.WriteAllBytes(path, old);
        using (FullDisk(4096))
        {
            var ex = Assert.ThrowsExactly<IOException>(() => AtomicFile.WriteAllBytes(path, new byte[100_000]));
            StringAssert.Contains(ex.Message, "out.bin");
            StringAssert.Contains(ex.Message, "No space left");
        }
        CollectionAssert.AreEqual(old, File.ReadAllBytes(path));
        AssertOnlyFile(files.Root, "out.bin");

        // A writer's own exception passes through unchanged and cleans up too.
        Assert.ThrowsExactly<InvalidOperationException>(() => AtomicFile.Write(path, s => { s.WriteByte(1); throw new InvalidOperationException("bug"); }));
        CollectionAssert.AreEqual(old, File.ReadAllBytes(path));
        AssertOnlyFile(files.Root, "out.bin");

        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        AssertOnlyFile(files.Root, "out.bin");
    }

    [TestMethod]
    public void StaleTemporariesOfKilledWritersAreRemovedByTheNextSave()
    {
        using var files = new DataTestFiles();
        var stale = files.PathOf($".model.zip.{Guid.NewGuid():N}.tmp");
        var young = files.PathOf($".model.zip.{Guid.NewGuid():N}.tmp");
        var otherTarget = files.PathOf($".other.zip.{Guid.NewGuid():N}.tmp");
        var notOurs = files.PathOf(".model.zip.backup.tmp");
        foreach (var f in new[] { stale, young, otherTarget, notOurs }) File.WriteAllBytes(f, [0x50, 0x4B]);
        // Written before this process started: a writer that was killed.
        foreach (var f in new[] { stale, otherTarget, notOurs }) File.SetLastWriteTimeUtc(f, DateTime.UtcNow.AddDays(-1));

        AtomicFile.WriteAllBytes(files.PathOf("model.zip"), [1]);

        Assert.IsFalse(File.Exists(stale), "the stale temporary of model.zip must be removed");
        Assert.IsTrue(File.Exists(young), "a temporary younger than this process may belong to a concurrent writer");
        Assert.IsTrue(File.Exists(otherTarget), "temporaries of other targets are not touched");
        Assert.IsTrue(File.Exists(notOurs), "files that do not follow the naming pattern are not touched");
    }

    [TestMethod]
    public void TemporaryNamesAreRecognizedExactly()
    {
        var guid = Guid.NewGuid().ToString("N");
        Assert.IsTrue(AtomicFile.IsTemporaryFor($".model.zip.{guid}.tmp", "model.zip"));
        Assert.IsFalse(AtomicFile.IsTemporaryFor($".model.zip.{guid}.tmp", "model.zi"));
        Assert.IsFalse(AtomicFile.IsTemporaryFor($".model.zip.{guid[..31]}x.tmp", "model.zip"));
        Assert.IsFalse(AtomicFile.IsTemporaryFor($"model.zip.{guid}.tmp", "model.zip"));
        Assert.IsFalse(AtomicFile.IsTemporaryFor($".model.zip.{guid}.tmp.bak", "model.zip"));
    }

    /// <summary>Each writer of the library, given a path; run once to create the old file and once under a full disk.</summary>
    private static IEnumerable<(string Name, string File, Action<string> Write)> Writers()
    {
        yield return ("safetensors", "w.safetensors", p => SafeTensorsFormat.WriteFile(p,
            [new SafeTensorEntry("x", ScalarType.Float32, [1024], new byte[4096])]));
        yield return ("idx", "images.idx", p => IdxWriter.WriteUnsignedBytes(p, new byte[64 * 64 * 3], [3, 64, 64]));
        yield return ("idx.gz", "images.idx.gz", p =>
        {
            var noise = new byte[200_000];
            new Random(1).NextBytes(noise);
            IdxWriter.WriteUnsignedBytes(p, noise, [200, 1000]);
        });
        yield return ("loss curve svg", "loss.svg", p => LossCurve.SaveSvg(p,
            [("loss", Enumerable.Range(1, 500).Select(i => ((long)i, 1.0 / i)).ToList())], "t"));
        yield return ("history csv", "history.csv", p =>
        {
            var h = new TrainingHistory();
            for (int i = 1; i <= 500; i++) h.Add(i, new Dictionary<string, double> { ["loss"] = 1.0 / i, ["kl"] = i });
            h.SaveCsv(p);
        });
        yield return ("grid png", "grid.png", p => { using var x = torch.rand(16, 3, 16, 16); ImageGrid.Save(p, x); });
        yield return ("grid jpeg", "grid.jpg", p => { using var x = torch.rand(16, 3, 16, 16); ImageGrid.Save(p, x); });
        yield return ("scatter png", "scatter.png", p => { using var x = torch.randn(500, 2); ScatterPlot.Save(p, x, 4); });
        yield return ("model.zip", "model.zip", p =>
        {
            using var m = new PersistenceTestModel(new PersistenceTestOptions { Hidden = 64 });
            ModelStore.Save(m, p);
        });
    }

    [TestMethod]
    public void EveryWriterKeepsTheOldFileOnAFullDisk()
    {
        torch.manual_seed(5);
        int cases = 0;
        foreach (var (name, file, write) in Writers())
        {
            using var files = new DataTestFiles();
            var path = files.PathOf(file);
            write(path);
            var old = File.ReadAllBytes(path);
            Assert.IsTrue(old.Length > 1024, $"{name}: the case needs a file larger than the disk budget ({old.Length} bytes)");
            using (FullDisk(1024))
            {
                var ex = Assert.ThrowsExactly<IOException>(() => write(path), name);
                StringAssert.Contains(ex.Message, file, name);
            }
            CollectionAssert.AreEqual(old, File.ReadAllBytes(path), $"{name}: the old file changed");
            AssertOnlyFile(files.Root, file);
            cases++;
        }
        Console.WriteLine($"atomic writers: {cases} cases, {cases} ok");
    }

    [TestMethod]
    public void PicturesAreWrittenInTheFormatTheirNameSays()
    {
        using var files = new DataTestFiles();
        using var x = torch.rand(4, 3, 8, 8);
        ImageGrid.Save(files.PathOf("a.jpg"), x);
        ImageGrid.Save(files.PathOf("b.JPEG"), x);
        ImageGrid.Save(files.PathOf("c.png"), x);
        CollectionAssert.AreEqual(new byte[] { 0xFF, 0xD8, 0xFF }, File.ReadAllBytes(files.PathOf("a.jpg")).Take(3).ToArray());
        CollectionAssert.AreEqual(new byte[] { 0xFF, 0xD8, 0xFF }, File.ReadAllBytes(files.PathOf("b.JPEG")).Take(3).ToArray());
        CollectionAssert.AreEqual(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(files.PathOf("c.png")).Take(4).ToArray());
        using (var decoded = ImageCodec.ReadImage(files.PathOf("a.jpg")))
            CollectionAssert.AreEqual(new long[] { 22, 22, 3 }, decoded.shape);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => ImageGrid.Save(files.PathOf("d.bmp"), x));
        StringAssert.Contains(ex.Message, ".bmp");
        Assert.IsFalse(File.Exists(files.PathOf("d.bmp")));
        using var gray = torch.rand(4, 1, 8, 8);
        ImageGrid.Save(files.PathOf("g.jpg"), gray);
        using (var decoded = ImageCodec.ReadImage(files.PathOf("g.jpg")))
            Assert.AreEqual(1L, decoded.shape[2], "a gray grid stays a gray JPEG");
    }
}
