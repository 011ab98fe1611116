using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML.Vae.Core.Imaging;
using Microsoft.ML.Vae.Core.Persistence;
using SkiaSharp;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>Small files whose headers declare huge images (decompression bombs), and good images to sit beside them.</summary>
internal static class HostileImageFiles
{
    /// <summary>A valid PNG header declaring <paramref name="width"/> × <paramref name="height"/> RGB pixels, with one short image-data chunk.</summary>
    public static byte[] PngDeclaring(int width, int height)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // RGB
        Chunk(ms, "IHDR", ihdr);
        // A few rows of zeros: the full image would inflate to width × height × 3 bytes.
        using (var z = new MemoryStream())
        {
            using (var zlib = new ZLibStream(z, CompressionLevel.SmallestSize, leaveOpen: true)) zlib.Write(new byte[Math.Min(1 << 20, 4L * (3L * width + 1))]);
            Chunk(ms, "IDAT", z.ToArray());
        }
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    /// <summary>A real baseline JPEG of 16 × 16 pixels whose frame header is patched to declare <paramref name="width"/> × <paramref name="height"/>.</summary>
    public static byte[] JpegDeclaring(int width, int height)
    {
        using var bitmap = new SKBitmap(16, 16, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(new SKColor(10, 200, 30));
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        var bytes = data.ToArray();
        for (int i = 2; i + 9 < bytes.Length; i++)
        {
            // Start of frame (baseline or progressive): FF C0/C2, length, precision, height, width.
            if (bytes[i] == 0xFF && bytes[i + 1] is 0xC0 or 0xC2)
            {
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 5), checked((ushort)height));
                BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 7), checked((ushort)width));
                return bytes;
            }
        }
        throw new InvalidOperationException("The encoder wrote no start-of-frame marker.");
    }

    /// <summary>Writes a solid RGB PNG.</summary>
    public static void SolidPng(string path, int width, int height)
    {
        var pixels = new byte[width * height * 3];
        Array.Fill(pixels, (byte)128);
        ImageCodec.WritePng(path, pixels, width, height, 3);
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        s.Write(typeBytes);
        s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Compute([.. typeBytes, .. data]));
        s.Write(word);
    }
}
