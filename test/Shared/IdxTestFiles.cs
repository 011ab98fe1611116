using System.Buffers.Binary;
using System.IO.Compression;

namespace Microsoft.ML.Vae.TestSupport;

/// <summary>Hand-made IDX files for the hostile-input tests: headers that promise any size, and gzip bombs.</summary>
internal static class IdxTestFiles
{
    /// <summary>An unsigned-byte IDX header with the given dimensions (no payload).</summary>
    public static byte[] Header(params int[] dims)
    {
        var h = new byte[4 + 4 * dims.Length];
        h[2] = 0x08; // unsigned byte
        h[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(h.AsSpan(4 + 4 * i), dims[i]);
        return h;
    }

    /// <summary><paramref name="header"/> followed by <paramref name="zeros"/> zero bytes, gzip-compressed.</summary>
    public static byte[] Gzip(byte[] header, long zeros)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(header);
            var block = new byte[1 << 20];
            for (long left = zeros; left > 0; left -= block.Length) gz.Write(block, 0, (int)Math.Min(block.Length, left));
        }
        return ms.ToArray();
    }
}
