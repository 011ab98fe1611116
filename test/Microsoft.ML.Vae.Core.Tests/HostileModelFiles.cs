using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Vae.Core.Persistence.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>Builds hostile variants of a good model file: edited entries, repeated entries, poisoned weights.</summary>
internal static class HostileModelFiles
{
    /// <summary>The entries of a zip, in order (a repeated name appears twice).</summary>
    public static List<(string Name, byte[] Bytes)> ReadEntries(byte[] file) => TestSupport.ZipTestFiles.ReadEntries(file);

    /// <summary>Writes entries (stored, uncompressed) into a new zip; repeated names are kept.</summary>
    public static byte[] WriteEntries(IEnumerable<(string Name, byte[] Bytes)> entries) => TestSupport.ZipTestFiles.WriteEntries(entries);

    /// <summary>The file with <paramref name="name"/> stored a second time (with the same bytes).</summary>
    public static byte[] WithRepeatedEntry(byte[] file, string name)
    {
        var entries = ReadEntries(file);
        entries.Add(entries.First(e => e.Name == name));
        return WriteEntries(entries);
    }

    /// <summary>The file with one entry's bytes replaced.</summary>
    public static byte[] WithEntry(byte[] file, string name, byte[] bytes)
    {
        var entries = ReadEntries(file);
        int i = entries.FindIndex(e => e.Name == name);
        if (i < 0) entries.Add((name, bytes)); else entries[i] = (name, bytes);
        return WriteEntries(entries);
    }

    /// <summary>The file with config.json edited.</summary>
    public static byte[] WithConfig(byte[] file, Action<JsonObject> edit)
    {
        var config = JsonNode.Parse(ReadEntries(file).First(e => e.Name == "config.json").Bytes)!.AsObject();
        edit(config);
        return WithEntry(file, "config.json", Encoding.UTF8.GetBytes(config.ToJsonString()));
    }

    /// <summary>The file with element <paramref name="index"/> of the first float32 weight set to <paramref name="value"/>.</summary>
    public static byte[] WithWeightValue(byte[] file, float value, int index = 0)
    {
        var bytes = ReadEntries(file).First(e => e.Name == "weights.safetensors").Bytes;
        var tensors = StateDictIO.Deserialize(bytes, out var metadata);
        try
        {
            var target = tensors.Where(kv => kv.Value.dtype == ScalarType.Float32).OrderBy(kv => kv.Key, StringComparer.Ordinal).First().Value;
            using (var flat = target.view(-1))
            using (var element = flat[index])
                element.fill_(value);
            return WithEntry(file, "weights.safetensors", StateDictIO.Serialize(tensors, metadata));
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    /// <summary>The file with one byte of a stored entry's data flipped (so its CRC no longer matches).</summary>
    public static byte[] WithFlippedByte(byte[] file, string name)
    {
        var copy = file.ToArray();
        var nameBytes = Encoding.ASCII.GetBytes(name);
        for (int i = 0; i + 30 + nameBytes.Length <= copy.Length; i++)
        {
            if (copy[i] != 0x50 || copy[i + 1] != 0x4B || copy[i + 2] != 3 || copy[i + 3] != 4) continue;
            int nameLength = BitConverter.ToUInt16(copy, i + 26);
            if (!copy.AsSpan(i + 30, nameLength).SequenceEqual(nameBytes)) continue;
            int extraLength = BitConverter.ToUInt16(copy, i + 28);
            int size = BitConverter.ToInt32(copy, i + 18);
            copy[i + 30 + nameLength + extraLength + size / 2] ^= 0x01;
            return copy;
        }
        throw new InvalidOperationException($"{name} not found in the zip.");
    }
}
