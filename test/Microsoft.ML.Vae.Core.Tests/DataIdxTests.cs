using System.IO.Compression;
using Microsoft.ML.Vae.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class DataIdxTests
{
    private static byte[] Pattern(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 37 % 256)).ToArray();

    [TestMethod]
    [DataRow("images.idx", "labels.idx")]
    [DataRow("images.idx.gz", "labels.idx.gz")]
    public void WrittenFilesReadBackExactly(string imageName, string labelName)
    {
        using var files = new DataTestFiles();
        var pixels = Pattern(3 * 4 * 5);
        byte[] labels = [9, 0, 4];
        IdxWriter.WriteUnsignedBytes(files.PathOf(imageName), pixels, [3, 4, 5]);
        IdxWriter.WriteUnsignedBytes(files.PathOf(labelName), labels, [3]);

        bool gz = imageName.EndsWith(".gz");
        var head = File.ReadAllBytes(files.PathOf(imageName));
        Assert.AreEqual(gz, head[0] == 0x1F && head[1] == 0x8B, "compression follows the file name");
        if (!gz) Assert.AreEqual(16 + pixels.Length, head.Length);

        long baseline = LiveTensors.Count;
        using (var data = IdxReader.Load(files.PathOf(imageName), files.PathOf(labelName)))
        {
            CollectionAssert.AreEqual(new long[] { 3, 1, 4, 5 }, data.Features.shape);
            Assert.AreEqual(ScalarType.Float32, data.Features.dtype);
            var got = data.Features.data<float>().ToArray();
            for (int i = 0; i < pixels.Length; i++) Assert.AreEqual(pixels[i] / 255f, got[i], 1e-7f, $"pixel {i}");
            CollectionAssert.AreEqual(new long[] { 9, 0, 4 }, data.Labels!.data<long>().ToArray());
        }
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void HandWrittenBigEndianHeaderIsUnderstood()
    {
        using var files = new DataTestFiles();
        // Two 2×3 images: magic 00 00 08 03, sizes 2, 2, 3 as big-endian int32.
        byte[] bytes = [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 51, 102, 153, 204, 255, 255, 204, 153, 102, 51, 0];
        File.WriteAllBytes(files.PathOf("two"), bytes);
        using var images = IdxReader.ReadImages(files.PathOf("two"));
        CollectionAssert.AreEqual(new long[] { 2, 1, 2, 3 }, images.shape);
        var got = images.data<float>().ToArray();
        float[] expected = [0, 0.2f, 0.4f, 0.6f, 0.8f, 1, 1, 0.8f, 0.6f, 0.4f, 0.2f, 0];
        for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], got[i], 1e-6f);
    }

    [TestMethod]
    [DataRow("raw")]
    [DataRow("raw.gz")]
    public void LimitReadsTheFirstSamples(string name)
    {
        using var files = new DataTestFiles();
        var pixels = Pattern(10 * 2 * 2);
        IdxWriter.WriteUnsignedBytes(files.PathOf(name), pixels, [10, 2, 2]);
        using var images = IdxReader.ReadImages(files.PathOf(name), limit: 3);
        CollectionAssert.AreEqual(new long[] { 3, 1, 2, 2 }, images.shape);
        var got = images.data<float>().ToArray();
        for (int i = 0; i < got.Length; i++) Assert.AreEqual(pixels[i] / 255f, got[i], 1e-7f);
        using var all = IdxReader.ReadImages(files.PathOf(name), limit: 1000);
        Assert.AreEqual(10, all.size(0));
    }

    private static byte[] Header(byte type, params int[] dims)
    {
        var h = new byte[4 + 4 * dims.Length];
        h[2] = type;
        h[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4 + 4 * i), dims[i]);
        return h;
    }

    private static void AssertRejected(byte[] content, string expectedFragment, bool images = true)
    {
        using var files = new DataTestFiles();
        var path = files.PathOf("bad.idx");
        File.WriteAllBytes(path, content);
        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
        {
            using var t = images ? IdxReader.ReadImages(path) : IdxReader.ReadLabels(path);
        });
        StringAssert.Contains(e.Message, expectedFragment);
        StringAssert.Contains(e.Message, path, "the message names the file");
    }

    [TestMethod]
    public void BadMagicIsRejected() => AssertRejected([1, 0, 8, 3, 0, 0, 0, 1], "two zero bytes");

    [TestMethod]
    public void UnsupportedTypeIsRejected() => AssertRejected([.. Header(0x0D, 1, 1, 1), 0, 0, 0, 0], "data type 0x0D");

    [TestMethod]
    public void WrongRankIsRejected() => AssertRejected([.. Header(8, 4), 1, 2, 3, 4], "has 1 dimensions but image files need 3");

    [TestMethod]
    public void ZeroSizeIsRejected() => AssertRejected([.. Header(8, 2, 0, 3)], "must be positive");

    [TestMethod]
    public void TooShortFileIsRejected() => AssertRejected([0, 0], "too short");

    [TestMethod]
    public void TruncatedHeaderIsRejected() => AssertRejected([0, 0, 8, 3, 0, 0, 0, 2, 0, 0], "truncated inside its header");

    [TestMethod]
    public void TruncatedPayloadIsRejected() => AssertRejected([.. Header(8, 2, 2, 2), 1, 2, 3, 4, 5, 6, 7], "truncated");

    [TestMethod]
    public void TrailingBytesAreRejected() => AssertRejected([.. Header(8, 3), 1, 2, 3, 4], "bytes after", images: false);

    [TestMethod]
    public void CorruptGzipIsRejected()
    {
        // A gzip signature followed by garbage.
        AssertRejected([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0x00, 0x13, 0x37], "");
    }

    [TestMethod]
    public void TruncatedGzipIsRejected()
    {
        using var files = new DataTestFiles();
        var full = files.PathOf("full.gz");
        var random = new Random(5);
        var pixels = new byte[50 * 28 * 28];
        random.NextBytes(pixels);
        IdxWriter.WriteUnsignedBytes(full, pixels, [50, 28, 28]);
        var bytes = File.ReadAllBytes(full);
        AssertRejected(bytes[..(bytes.Length / 2)], "");
    }

    [TestMethod]
    public void MissingFileAndMismatchedCountsAreReported()
    {
        using var files = new DataTestFiles();
        var e = Assert.ThrowsExactly<FileNotFoundException>(() => IdxReader.ReadImages(files.PathOf("absent")));
        StringAssert.Contains(e.Message, "absent");

        IdxWriter.WriteUnsignedBytes(files.PathOf("i"), Pattern(2 * 2 * 2), [2, 2, 2]);
        IdxWriter.WriteUnsignedBytes(files.PathOf("l"), [1, 2, 3], [3]);
        long baseline = LiveTensors.Count;
        var mismatch = Assert.ThrowsExactly<InvalidDataException>(() => IdxReader.Load(files.PathOf("i"), files.PathOf("l")));
        StringAssert.Contains(mismatch.Message, "2 images");
        StringAssert.Contains(mismatch.Message, "3 labels");
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void TensorWritersRoundTrip()
    {
        using var files = new DataTestFiles();
        using var images = torch.tensor(new float[] { 0f, 0.5f, 1f, 2f, -1f, 0.25f }, new long[] { 2, 1, 1, 3 });
        using var labels = torch.tensor(new long[] { 3, 7 });
        IdxWriter.WriteImages(files.PathOf("x.gz"), images);
        IdxWriter.WriteLabels(files.PathOf("y.gz"), labels);
        using var data = IdxReader.Load(files.PathOf("x.gz"), files.PathOf("y.gz"));
        var expected = new float[] { 0, 128, 255, 255, 0, 64 }.Select(v => v / 255f).ToArray();
        var got = data.Features.data<float>().ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], got[i], 1e-7f);
        CollectionAssert.AreEqual(new long[] { 3, 7 }, data.Labels!.data<long>().ToArray());
    }
}
