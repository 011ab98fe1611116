using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Vae.Core.Imaging;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;

namespace Microsoft.ML.Vae.Cli.Tests;

/// <summary>
/// Writes hostile inputs into a temporary folder: damaged model files (poisoned weights, repeated entries, bad
/// histories, inflated configurations), decompression bombs, lying IDX headers, and FIFOs where files are expected.
/// </summary>
internal sealed partial class HostileInputs : IDisposable
{
    public HostileInputs()
    {
        Root = Path.Combine(Path.GetTempPath(), $"vae-hostile-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Root);
        var history = new TrainingHistory();
        history.Add(1, new Dictionary<string, double> { ["loss"] = 2 });
        history.Add(2, new Dictionary<string, double> { ["loss"] = 1 });
        using var model = new DpVae(new DpVaeOptions { SampleShape = [2], LatentDim = 2, MlpHiddenSizes = [8, 8] });
        using var ms = new MemoryStream();
        ModelStore.Save(model, ms, history);
        GoodModel = ms.ToArray();
        File.WriteAllBytes(PathOf("good.zip"), GoodModel);
    }

    public string Root { get; }

    /// <summary>A valid dp-vae model file (MLP, samples [2], latent 2) with a two-row history.</summary>
    public byte[] GoodModel { get; }

    public string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Writes bytes under <paramref name="name"/> and returns the path.</summary>
    public string Write(string name, byte[] bytes)
    {
        var path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    // ---- model files

    public static List<(string Name, byte[] Bytes)> Entries(byte[] zip) => TestSupport.ZipTestFiles.ReadEntries(zip);

    public static byte[] Zip(IEnumerable<(string Name, byte[] Bytes)> entries) => TestSupport.ZipTestFiles.WriteEntries(entries);

    public byte[] WithEntry(string name, byte[] bytes) =>
        Zip(Entries(GoodModel).Select(e => e.Name == name ? (name, bytes) : e));

    public byte[] WithRepeatedEntry(string name)
    {
        var entries = Entries(GoodModel);
        entries.Add(entries.First(e => e.Name == name));
        return Zip(entries);
    }

    public byte[] WithConfig(Action<JsonObject> edit)
    {
        var config = JsonNode.Parse(Entries(GoodModel).First(e => e.Name == ModelStore.ConfigEntry).Bytes)!.AsObject();
        edit(config);
        return WithEntry(ModelStore.ConfigEntry, Encoding.UTF8.GetBytes(config.ToJsonString()));
    }

    /// <summary>The good model with the first float32 of its first float32 tensor set to <paramref name="value"/>, edited in the safetensors bytes.</summary>
    public byte[] WithWeight(float value)
    {
        var weights = Entries(GoodModel).First(e => e.Name == ModelStore.WeightsEntry).Bytes.ToArray();
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(weights);
        var header = JsonNode.Parse(weights.AsSpan(8, (int)headerLength))!.AsObject();
        var tensor = header.Where(kv => kv.Key != "__metadata__" && (string?)kv.Value!["dtype"] == "F32").OrderBy(kv => kv.Key, StringComparer.Ordinal).First().Value!;
        long begin = (long)tensor["data_offsets"]![0]!;
        BinaryPrimitives.WriteSingleLittleEndian(weights.AsSpan((int)(8 + headerLength + begin)), value);
        return WithEntry(ModelStore.WeightsEntry, weights);
    }

    /// <summary>The good model with one byte of its stored history flipped (its CRC fails).</summary>
    public byte[] WithHistoryCrcFailure()
    {
        var zip = WithEntry(ModelStore.HistoryEntry, Entries(GoodModel).First(e => e.Name == ModelStore.HistoryEntry).Bytes);
        var name = Encoding.ASCII.GetBytes(ModelStore.HistoryEntry);
        for (int i = 0; i + 30 + name.Length <= zip.Length; i++)
        {
            if (zip[i] != 0x50 || zip[i + 1] != 0x4B || zip[i + 2] != 3 || zip[i + 3] != 4) continue;
            int nameLength = BitConverter.ToUInt16(zip, i + 26);
            if (!zip.AsSpan(i + 30, nameLength).SequenceEqual(name)) continue;
            int extra = BitConverter.ToUInt16(zip, i + 28);
            zip[i + 30 + nameLength + extra + 6] ^= 0x01; // inside "step,loss": still text, wrong checksum
            return zip;
        }
        throw new InvalidOperationException("history.csv not found.");
    }

    // ---- images

    /// <summary>A PNG whose valid header declares <paramref name="side"/>² RGB pixels, with a few kilobytes of image data.</summary>
    public static byte[] PngBomb(int side)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, side);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), side);
        ihdr[8] = 8;
        ihdr[9] = 2;
        Chunk(ms, "IHDR", ihdr);
        using (var z = new MemoryStream())
        {
            using (var zlib = new ZLibStream(z, CompressionLevel.SmallestSize, leaveOpen: true)) zlib.Write(new byte[1 << 20]);
            Chunk(ms, "IDAT", z.ToArray());
        }
        Chunk(ms, "IEND", []);
        return ms.ToArray();
    }

    /// <summary>A 16 × 16 JPEG whose frame header is patched to declare <paramref name="side"/>² pixels.</summary>
    public static byte[] JpegBomb(int side)
    {
        using var bitmap = new SkiaSharp.SKBitmap(16, 16);
        bitmap.Erase(new SkiaSharp.SKColor(200, 20, 20));
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 90);
        var bytes = data.ToArray();
        for (int i = 2; i + 9 < bytes.Length; i++)
        {
            if (bytes[i] != 0xFF || bytes[i + 1] is not (0xC0 or 0xC2)) continue;
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 5), (ushort)side);
            BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(i + 7), (ushort)side);
            return bytes;
        }
        throw new InvalidOperationException("no start-of-frame marker");
    }

    /// <summary>A folder with one good 8 × 8 PNG and <paramref name="name"/> holding <paramref name="bytes"/> (or a FIFO when null).</summary>
    public string ImageFolderWith(string folder, string name, byte[]? bytes)
    {
        Directory.CreateDirectory(PathOf(folder));
        var pixels = new byte[8 * 8 * 3];
        ImageCodec.WritePng(PathOf(folder, "a.png"), pixels, 8, 8, 3);
        if (bytes is null) MakeFifo(PathOf(folder, name));
        else File.WriteAllBytes(PathOf(folder, name), bytes);
        return PathOf(folder);
    }

    private static void Chunk(Stream s, string type, byte[] data)
    {
        var body = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        s.Write(body);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc(body));
        s.Write(word);
    }

    private static uint Crc(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }

    // ---- IDX

    public static byte[] IdxHeader(params int[] dims) => TestSupport.IdxTestFiles.Header(dims);

    public static byte[] Gzip(byte[] header, long zeros) => TestSupport.IdxTestFiles.Gzip(header, zeros);

    // ---- special files

    /// <summary>Creates a FIFO at <paramref name="path"/> (Unix).</summary>
    public static string MakeFifo(string path)
    {
        if (MkFifo(path, 0x180) != 0) throw new IOException($"mkfifo '{path}' failed ({Marshal.GetLastPInvokeError()}).");
        return path;
    }

    [LibraryImport("libc", EntryPoint = "mkfifo", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int MkFifo(string path, uint mode);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { /* a leftover temp folder is harmless */ }
    }
}
