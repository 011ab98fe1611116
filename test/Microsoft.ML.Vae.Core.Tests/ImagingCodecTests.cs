using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Microsoft.ML.Vae.Core.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// ImageCodec (SkiaSharp): exact PNG round trips, the channel counts and conversions the previous stb-based
/// decoder gave, and clear errors for files that are not images.
/// </summary>
[TestClass]
public sealed class ImagingCodecTests
{
    [TestMethod]
    public void PngRoundTripsExactlyInEveryChannelCount()
    {
        using var files = new DataTestFiles();
        long baseline = LiveTensors.Count;
        var random = new Random(5);
        foreach (int channels in new[] { 1, 3, 4 })
        {
            var pixels = new byte[5 * 7 * channels];
            random.NextBytes(pixels);
            var path = files.PathOf($"c{channels}.png");
            ImageCodec.WritePng(path, pixels, 7, 5, channels);
            // Gray stays an 8-bit gray PNG (color type 0), RGB is written without alpha (2), RGBA with it (6).
            byte[] file = File.ReadAllBytes(path);
            Assert.AreEqual(8, file[24], "bit depth");
            Assert.AreEqual(channels switch { 1 => 0, 3 => 2, _ => 6 }, file[25], "PNG color type");
            using var read = ImageCodec.ReadImage(path);
            CollectionAssert.AreEqual(new long[] { 5, 7, channels }, read.shape);
            Assert.AreEqual(ScalarType.Byte, read.dtype);
            CollectionAssert.AreEqual(pixels, read.data<byte>().ToArray(), $"{channels} channel(s)");
        }

        // The tensor overload: [H, W] is gray; any layout is written row-major.
        using (var scope = torch.NewDisposeScope())
        {
            var hw = torch.tensor(new byte[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
            ImageCodec.WritePng(files.PathOf("t.png"), hw.t());
            CollectionAssert.AreEqual(new byte[] { 1, 4, 2, 5, 3, 6 }, ImageCodec.ReadImage(files.PathOf("t.png")).data<byte>().ToArray());
            Assert.ThrowsExactly<ArgumentException>(() => ImageCodec.WritePng(files.PathOf("f.png"), torch.zeros(2, 2)));
            Assert.ThrowsExactly<ArgumentException>(() => ImageCodec.WritePng(files.PathOf("f.png"), torch.zeros(new long[] { 2 }, ScalarType.Byte)));
        }
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void ChannelConversionsFollowStb()
    {
        using var files = new DataTestFiles();
        var path = files.PathOf("rgba.png");
        // Two RGBA pixels: a translucent orange and a transparent blue (not premultiplied).
        byte[] rgba = [250, 120, 10, 128, 0, 0, 255, 0];
        ImageCodec.WritePng(path, rgba, 2, 1, 4);
        byte Y(int r, int g, int b) => (byte)((r * 77 + g * 150 + b * 29) >> 8);
        using (var gray = ImageCodec.ReadImage(path, 1))
            CollectionAssert.AreEqual(new[] { Y(250, 120, 10), Y(0, 0, 255) }, gray.data<byte>().ToArray());
        using (var grayAlpha = ImageCodec.ReadImage(path, 2))
            CollectionAssert.AreEqual(new byte[] { Y(250, 120, 10), 128, Y(0, 0, 255), 0 }, grayAlpha.data<byte>().ToArray());
        using (var rgb = ImageCodec.ReadImage(path, 3))
            CollectionAssert.AreEqual(new byte[] { 250, 120, 10, 0, 0, 255 }, rgb.data<byte>().ToArray(), "alpha is dropped, not blended");

        var grayPath = files.PathOf("gray.png");
        ImageCodec.WritePng(grayPath, [0, 77, 200, 255], 4, 1, 1);
        using (var asRgb = ImageCodec.ReadImage(grayPath, 3))
            CollectionAssert.AreEqual(new byte[] { 0, 0, 0, 77, 77, 77, 200, 200, 200, 255, 255, 255 }, asRgb.data<byte>().ToArray());
        using (var asRgba = ImageCodec.ReadImage(grayPath, 4))
            CollectionAssert.AreEqual(new byte[] { 0, 0, 0, 255, 77, 77, 77, 255 }, asRgba.data<byte>().ToArray()[..8]);
        using (var same = ImageCodec.ReadImage(grayPath, 1))
            CollectionAssert.AreEqual(new byte[] { 0, 77, 200, 255 }, same.data<byte>().ToArray(), "gray through RGB and back is exact");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageCodec.ReadImage(grayPath, 5));
    }

    [TestMethod]
    public void StoredChannelCountsMatchTheFile()
    {
        using var files = new DataTestFiles();
        // PNG color types written by hand: gray + alpha (4), palette (3) with and without transparency.
        var grayAlpha = files.PathOf("ga.png");
        File.WriteAllBytes(grayAlpha, Png(2, 1, colorType: 4, rows: [[10, 255, 200, 128]]));
        using (var t = ImageCodec.ReadImage(grayAlpha))
        {
            CollectionAssert.AreEqual(new long[] { 1, 2, 2 }, t.shape);
            CollectionAssert.AreEqual(new byte[] { 10, 255, 200, 128 }, t.data<byte>().ToArray());
        }
        var palette = files.PathOf("p.png");
        File.WriteAllBytes(palette, Png(2, 1, colorType: 3, rows: [[1, 0]], plte: [9, 8, 7, 1, 2, 3]));
        using (var t = ImageCodec.ReadImage(palette))
            CollectionAssert.AreEqual(new byte[] { 1, 2, 3, 9, 8, 7 }, t.data<byte>().ToArray(), "a palette reads as RGB");
        var transparent = files.PathOf("pt.png");
        File.WriteAllBytes(transparent, Png(2, 1, colorType: 3, rows: [[1, 0]], plte: [9, 8, 7, 1, 2, 3], trns: [255, 0]));
        using (var t = ImageCodec.ReadImage(transparent))
            CollectionAssert.AreEqual(new byte[] { 1, 2, 3, 0, 9, 8, 7, 255 }, t.data<byte>().ToArray(), "a palette with tRNS reads as RGBA");

        // A 24-bit BMP (bottom-up, BGR) is RGB.
        var bmp = files.PathOf("b.bmp");
        File.WriteAllBytes(bmp, Bmp24(2, 2, [[10, 20, 30, 40, 50, 60], [70, 80, 90, 100, 110, 120]]));
        using (var t = ImageCodec.ReadImage(bmp))
        {
            CollectionAssert.AreEqual(new long[] { 2, 2, 3 }, t.shape);
            CollectionAssert.AreEqual(new byte[] { 30, 20, 10, 60, 50, 40, 90, 80, 70, 120, 110, 100 }, t.data<byte>().ToArray());
        }

        // GIF is RGBA (its palette can hold a transparent color): the 1×1 transparent GIF.
        var gif = files.PathOf("g.gif");
        File.WriteAllBytes(gif, Convert.FromBase64String("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"));
        using (var t = ImageCodec.ReadImage(gif))
        {
            CollectionAssert.AreEqual(new long[] { 1, 1, 4 }, t.shape);
            Assert.AreEqual(0, t.data<byte>()[3], "transparent");
        }
    }

    [TestMethod]
    public void UnreadableFilesGiveClearErrors()
    {
        using var files = new DataTestFiles();
        var missing = files.PathOf("none.png");
        StringAssert.Contains(Assert.ThrowsExactly<FileNotFoundException>(() => ImageCodec.ReadImage(missing)).Message, missing);

        var text = files.PathOf("text.png");
        File.WriteAllText(text, "This is a text file, not an image.");
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => ImageCodec.ReadImage(text));
        StringAssert.StartsWith(ex.Message, $"cannot decode image '{text}': ");
        StringAssert.Contains(ex.Message, "not an image format");

        var empty = files.PathOf("empty.png");
        File.WriteAllBytes(empty, []);
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ImageCodec.ReadImage(empty)).Message, "empty");

        var good = files.PathOf("good.png");
        var pixels = new byte[64 * 64 * 3];
        new Random(1).NextBytes(pixels);
        ImageCodec.WritePng(good, pixels, 64, 64, 3);
        var truncated = files.PathOf("truncated.png");
        File.WriteAllBytes(truncated, File.ReadAllBytes(good)[..2000]);
        ex = Assert.ThrowsExactly<InvalidDataException>(() => ImageCodec.ReadImage(truncated));
        StringAssert.Contains(ex.Message, "damaged or truncated");

        Assert.ThrowsExactly<ArgumentException>(() => ImageCodec.WritePng(good, pixels, 64, 63, 3));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageCodec.WritePng(good, pixels, 64, 64, 2));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ImageCodec.WritePng(good, pixels, 0, 64, 3));
        Assert.ThrowsExactly<IOException>(() => ImageCodec.WritePng(files.PathOf("no-such-folder", "x.png"), pixels, 64, 64, 3));
    }

    /// <summary>A minimal 8-bit PNG: IHDR, optional PLTE and tRNS, one IDAT (filter 0 on every row), IEND.</summary>
    private static byte[] Png(int width, int height, byte colorType, byte[][] rows, byte[]? plte = null, byte[]? trns = null)
    {
        using var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        ihdr[9] = colorType;
        Chunk(file, "IHDR", ihdr);
        if (plte is not null) Chunk(file, "PLTE", plte);
        if (trns is not null) Chunk(file, "tRNS", trns);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
        {
            foreach (var row in rows)
            {
                z.WriteByte(0);
                z.Write(row);
            }
        }
        Chunk(file, "IDAT", raw.ToArray());
        Chunk(file, "IEND", []);
        return file.ToArray();
    }

    private static void Chunk(Stream file, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        file.Write(length);
        var typed = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        file.Write(typed);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Persistence.Crc32.Compute(typed));
        file.Write(crc);
    }

    /// <summary>A 24-bit BMP; <paramref name="rowsTopDown"/> hold BGR triplets.</summary>
    private static byte[] Bmp24(int width, int height, byte[][] rowsTopDown)
    {
        int stride = (width * 3 + 3) / 4 * 4;
        var bmp = new byte[54 + stride * height];
        bmp[0] = (byte)'B';
        bmp[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(34), stride * height);
        for (int r = 0; r < height; r++)
            rowsTopDown[r].CopyTo(bmp, 54 + (height - 1 - r) * stride);
        return bmp;
    }
}
