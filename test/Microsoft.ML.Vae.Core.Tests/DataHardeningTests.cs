using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Imaging;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// Untrusted data files: image sizes are checked from the header before decoding, IDX sizes against a limit before
/// allocating and as the payload streams, and pipes in an image folder are refused instead of blocking.
/// </summary>
[TestClass]
public sealed class DataHardeningTests : LeakCheckedTest
{
    private static T Bounded<T>(Func<T> read, string what)
    {
        var task = Task.Run(read);
        Assert.IsTrue(task.Wait(TimeSpan.FromSeconds(20)), $"{what} hung");
        return task.Result;
    }

    private static (string Message, long Allocated) Refusal(Action read)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.ThrowsExactly<InvalidDataException>(read);
        return (ex.Message, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [TestMethod]
    public void APngBombIsRefusedFromItsHeader()
    {
        using var files = new DataTestFiles();
        var path = files.PathOf("bomb.png");
        // 20,000 × 20,000 pixels: 1.6 GB as RGBA, from a file of a few kilobytes.
        File.WriteAllBytes(path, HostileImageFiles.PngDeclaring(20_000, 20_000));
        Assert.IsTrue(new FileInfo(path).Length < 100_000);
        var (message, allocated) = Refusal(() => ImageCodec.ReadImage(path, 3));
        StringAssert.Contains(message, "20000×20000 = 400,000,000 pixels, more than the limit of 50,000,000");
        Assert.IsTrue(allocated < 50_000_000, $"allocated {allocated:N0} bytes");
    }

    [TestMethod]
    public void AJpegBombIsRefusedFromItsHeader()
    {
        using var files = new DataTestFiles();
        var path = files.PathOf("bomb.jpg");
        File.WriteAllBytes(path, HostileImageFiles.JpegDeclaring(60_000, 60_000));
        var (message, allocated) = Refusal(() => ImageCodec.ReadImage(path, 3));
        StringAssert.Contains(message, "more than the limit of 50,000,000");
        Assert.IsTrue(allocated < 50_000_000, $"allocated {allocated:N0} bytes");
    }

    [TestMethod]
    public void ThePixelLimitCanBeRaised()
    {
        using var files = new DataTestFiles();
        HostileImageFiles.SolidPng(files.PathOf("a.png"), 40, 30);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ImageCodec.ReadImage(files.PathOf("a.png"), 3, maxPixels: 1199)).Message, "more than the limit of 1,199");
        using (var image = ImageCodec.ReadImage(files.PathOf("a.png"), 3, maxPixels: 1200)) CollectionAssert.AreEqual(new long[] { 30, 40, 3 }, image.shape);
        var small = new ImageFolderOptions { Size = 8, MaxPixels = 1000 };
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ImageFolder.Load(files.Root, small)).Message, "more than the limit of 1,000");
        using var data = ImageFolder.Load(files.Root, new ImageFolderOptions { Size = 8, MaxPixels = 1200 });
        Assert.AreEqual(1, data.Count);
    }

    [TestMethod]
    public void AnImageFolderWithABombIsRefused()
    {
        using var files = new DataTestFiles();
        HostileImageFiles.SolidPng(files.PathOf("a.png"), 8, 8);
        File.WriteAllBytes(files.PathOf("b.png"), HostileImageFiles.PngDeclaring(30_000, 30_000));
        var (message, allocated) = Refusal(() => ImageFolder.Load(files.Root, 8));
        StringAssert.Contains(message, "b.png");
        StringAssert.Contains(message, "more than the limit");
        Assert.IsTrue(allocated < 50_000_000, $"allocated {allocated:N0} bytes");
    }

    [TestMethod]
    public void PipesAndDevicesInAnImageFolderAreRefusedWithoutBlocking()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) Assert.Inconclusive("FIFOs are a Unix feature.");
        using var files = new DataTestFiles();
        HostileImageFiles.SolidPng(files.PathOf("a.png"), 8, 8);
        Assert.AreEqual(0, UnixFiles.MakeFifo(files.PathOf("b.png")));
        var message = Bounded(() => Assert.ThrowsExactly<InvalidDataException>(() => ImageFolder.Load(files.Root, 8)).Message, "loading a folder with a FIFO");
        StringAssert.Contains(message, "b.png");
        StringAssert.Contains(message, "not a regular file");
        File.CreateSymbolicLink(files.PathOf("c.png"), files.PathOf("b.png"));
        var linked = Bounded(() => Assert.ThrowsExactly<InvalidDataException>(() => ImageCodec.ReadImage(files.PathOf("c.png"))).Message, "reading a link to a FIFO");
        StringAssert.Contains(linked, "not a regular file");
        var direct = Bounded(() => Assert.ThrowsExactly<InvalidDataException>(() => ImageCodec.ReadImage(files.PathOf("b.png"))).Message, "reading a FIFO");
        StringAssert.Contains(direct, "not a regular file");
        if (File.Exists("/dev/zero"))
            StringAssert.Contains(Bounded(() => Assert.ThrowsExactly<InvalidDataException>(() => ImageCodec.ReadImage("/dev/zero")).Message, "reading /dev/zero"), "not a regular file");
    }

    [TestMethod]
    public void ALinkToARegularImageIsRead()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) Assert.Inconclusive("Symbolic links need no privileges on Unix only.");
        using var files = new DataTestFiles();
        HostileImageFiles.SolidPng(files.PathOf("a.png"), 8, 6);
        File.CreateSymbolicLink(files.PathOf("link.png"), files.PathOf("a.png"));
        using var image = ImageCodec.ReadImage(files.PathOf("link.png"), 1);
        CollectionAssert.AreEqual(new long[] { 6, 8, 1 }, image.shape);
    }

    [TestMethod]
    public void LinkLoopsInAnImageFolderEndAndCountEachImageOnce()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) Assert.Inconclusive("Symbolic links need no privileges on Unix only.");
        using var files = new DataTestFiles();
        Directory.CreateDirectory(files.PathOf("images", "sub"));
        HostileImageFiles.SolidPng(files.PathOf("images", "a.png"), 8, 8);
        HostileImageFiles.SolidPng(files.PathOf("images", "sub", "b.png"), 8, 8);
        // Two links back to the top: .NET's recursion alone walks 2^40 paths.
        Directory.CreateSymbolicLink(files.PathOf("images", "sub", "up1"), files.PathOf("images"));
        Directory.CreateSymbolicLink(files.PathOf("images", "sub", "up2"), "..");
        // A link to a folder outside is still followed once.
        Directory.CreateDirectory(files.PathOf("elsewhere"));
        HostileImageFiles.SolidPng(files.PathOf("elsewhere", "c.png"), 8, 8);
        Directory.CreateSymbolicLink(files.PathOf("images", "more"), files.PathOf("elsewhere"));
        long count = Bounded(() =>
        {
            using var data = ImageFolder.Load(files.PathOf("images"), 4);
            return data.Count;
        }, "loading a folder with link loops");
        Assert.AreEqual(3, count);
    }

    private static byte[] IdxHeader(params int[] dims) => TestSupport.IdxTestFiles.Header(dims);

    private static byte[] Gzip(byte[] header, long zeros) => TestSupport.IdxTestFiles.Gzip(header, zeros);

    [TestMethod]
    public void IdxSizesBeyondTheLimitAreRefusedBeforeAllocating()
    {
        using var files = new DataTestFiles();
        // 2,000 × 1,000 × 1,000 bytes (2 GB) declared by a 16-byte header: the old reader allocated them, then found the file short.
        File.WriteAllBytes(files.PathOf("huge.idx"), IdxHeader(2000, 1000, 1000));
        var (message, allocated) = Refusal(() => IdxReader.ReadImages(files.PathOf("huge.idx")));
        StringAssert.Contains(message, "more than the limit of 1,073,741,824");
        Assert.IsTrue(allocated < 10_000_000, $"allocated {allocated:N0} bytes");
        // The same header inside gzip (a bomb declaring what it inflates to) is refused before inflating anything.
        File.WriteAllBytes(files.PathOf("huge.gz"), Gzip(IdxHeader(1_500_000, 28, 28), 1 << 20));
        (message, allocated) = Refusal(() => IdxReader.ReadImages(files.PathOf("huge.gz")));
        StringAssert.Contains(message, "more than the limit");
        Assert.IsTrue(allocated < 10_000_000, $"allocated {allocated:N0} bytes");
        // The limit is an option.
        File.WriteAllBytes(files.PathOf("small.idx"), [.. IdxHeader(2, 2, 2), 1, 2, 3, 4, 5, 6, 7, 8]);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(files.PathOf("small.idx"), maxDataBytes: 7)).Message, "more than the limit of 7");
        using var images = IdxReader.ReadImages(files.PathOf("small.idx"), maxDataBytes: 8);
        Assert.AreEqual(2, images.size(0));
    }

    [TestMethod]
    public void IdxPayloadsAreCheckedAsTheyStream()
    {
        using var files = new DataTestFiles();
        // A raw file whose header promises 900 MB but holds 10 bytes: refused from the file's length.
        File.WriteAllBytes(files.PathOf("short.idx"), [.. IdxHeader(900, 1000, 1000), .. new byte[10]]);
        var (message, allocated) = Refusal(() => IdxReader.ReadImages(files.PathOf("short.idx")));
        StringAssert.Contains(message, "truncated");
        Assert.IsTrue(allocated < 10_000_000, $"raw: allocated {allocated:N0} bytes");
        // The same promise inside gzip: the buffer grows only as data arrives.
        File.WriteAllBytes(files.PathOf("short.gz"), Gzip(IdxHeader(900, 1000, 1000), 1000));
        (message, allocated) = Refusal(() => IdxReader.ReadImages(files.PathOf("short.gz")));
        StringAssert.Contains(message, "truncated");
        Assert.IsTrue(allocated < 40_000_000, $"gzip: allocated {allocated:N0} bytes");
        // A bomb: a small declared size followed by 64 MB of zeros is refused after the declared bytes.
        File.WriteAllBytes(files.PathOf("bomb.gz"), Gzip(IdxHeader(1, 28, 28), 64 << 20));
        (message, allocated) = Refusal(() => IdxReader.ReadImages(files.PathOf("bomb.gz")));
        StringAssert.Contains(message, "bytes after");
        Assert.IsTrue(allocated < 10_000_000, $"bomb: allocated {allocated:N0} bytes");
    }

    [TestMethod]
    public void LinksToPipesAsCifarBatchesAreRefusedWithoutBlocking()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) Assert.Inconclusive("FIFOs are a Unix feature.");
        using var files = new DataTestFiles();
        UnixFiles.MakeFifo(files.PathOf("fifo"));
        // The link's own length (that of the name "fifo") is no multiple of a record, but the target's kind is checked first.
        File.CreateSymbolicLink(files.PathOf("data_batch_1.bin"), files.PathOf("fifo"));
        var message = Bounded(() => Assert.ThrowsExactly<InvalidDataException>(() => Cifar10Reader.ReadBatch(files.PathOf("data_batch_1.bin"))).Message, "reading a link to a FIFO");
        StringAssert.Contains(message, "not a regular file");
    }

    [TestMethod]
    public void IdxPipesAreRefusedWithoutBlocking()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) Assert.Inconclusive("FIFOs are a Unix feature.");
        using var files = new DataTestFiles();
        Assert.AreEqual(0, UnixFiles.MakeFifo(files.PathOf("images.idx")));
        var message = Bounded(() => Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.ReadImages(files.PathOf("images.idx"))).Message, "reading a FIFO");
        StringAssert.Contains(message, "not a regular file");
    }
}
