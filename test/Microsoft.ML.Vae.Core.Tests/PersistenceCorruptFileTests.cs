using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Persistence.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>Damaged, foreign and mismatching model files are rejected with clear messages and no leaks.</summary>
[TestClass]
public sealed class PersistenceCorruptFileTests
{
    [TestMethod]
    [DataRow("not-a-zip", "is not a model file: it is not a readable zip archive")]
    [DataRow("empty-file", "is empty or is not a regular file")]
    [DataRow("truncated", "is not a model file")]
    [DataRow("missing-config", "has no config.json")]
    [DataRow("missing-weights", "has no weights.safetensors")]
    [DataRow("config-not-json", "config.json is not valid JSON")]
    [DataRow("config-not-object", "config.json must hold a JSON object")]
    [DataRow("config-missing-kind", "config.json lacks the 'kind' field")]
    [DataRow("config-missing-options", "config.json lacks the 'options' field")]
    [DataRow("config-newer-version", "has format version 99, written by a newer library")]
    [DataRow("config-bad-shape", "invalid sampleShape [2,0]")]
    [DataRow("config-bad-latent", "invalid latentDim -1")]
    [DataRow("unknown-kind", "unknown model kind 'mystery'. Known kinds: test-ae.")]
    [DataRow("options-unknown-member", "do not fit PersistenceTestOptions")]
    [DataRow("options-bad-enum", "do not fit PersistenceTestOptions")]
    [DataRow("options-invalid-value", "the options in config.json are not valid for 'test-ae': Hidden must be positive")]
    [DataRow("config-disagrees", "describes a 'test-ae' model with latent dimension 5")]
    [DataRow("weights-garbage", "weights.safetensors is damaged")]
    [DataRow("weights-truncated", "weights.safetensors is damaged")]
    [DataRow("weights-missing-tensor", "missing [enc1.bias]")]
    [DataRow("weights-extra-tensor", "unexpected [extra]")]
    [DataRow("weights-wrong-shape", "weight 'dec1.weight' has shape [6, 4]; the architecture expects [6, 3]")]
    [DataRow("weights-wrong-dtype", "weight 'scale' has dtype Float64; the architecture expects Float32")]
    [DataRow("weights-flipped-byte", "weights.safetensors is damaged or truncated")]
    public void DamagedFilesAreRejected(string damage, string expected)
    {
        using var folder = new TrainingTestFolder();
        var good = Path.Combine(folder.Path, "good.zip");
        using (var model = PersistenceModelStoreTests.NewModel()) ModelStore.Save(model, good);
        var bad = Path.Combine(folder.Path, "bad.zip");
        File.WriteAllBytes(bad, Damage(File.ReadAllBytes(good), damage));

        long baseline = LiveTensors.Count;
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => ModelStore.Load(bad, torch.CPU, PersistenceModelStoreTests.Registry()));
        StringAssert.Contains(ex.Message, expected);
        StringAssert.Contains(ex.Message, bad, "the message names the file");
        Assert.AreEqual(baseline, LiveTensors.Count, "nothing leaks from a failed load");
    }

    [TestMethod]
    public void MissingFileIsFileNotFound()
    {
        var ex = Assert.ThrowsExactly<FileNotFoundException>(() => ModelStore.Load("no-such-model.zip"));
        StringAssert.Contains(ex.Message, "no-such-model.zip");
    }

    [TestMethod]
    public void ReadInfoRejectsNewerFormats()
    {
        using var folder = new TrainingTestFolder();
        var good = Path.Combine(folder.Path, "good.zip");
        using (var model = PersistenceModelStoreTests.NewModel()) ModelStore.Save(model, good);
        File.WriteAllBytes(good, Damage(File.ReadAllBytes(good), "config-newer-version"));
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ModelStore.ReadInfo(good)).Message, "format version 99");
    }

    private static byte[] Damage(byte[] file, string damage)
    {
        switch (damage)
        {
            case "not-a-zip": return Encoding.ASCII.GetBytes("This is a text file, not a model.");
            case "empty-file": return [];
            case "truncated": return file.AsSpan(0, file.Length / 2).ToArray();
            case "weights-flipped-byte":
            {
                // Weights are stored uncompressed: flip a byte of the last tensor's data inside the zip.
                var copy = file.ToArray();
                int entryEnd = WeightsDataEnd(copy);
                copy[entryEnd - 3] ^= 0x5A;
                return copy;
            }
        }
        var entries = ReadEntries(file);
        var config = JsonNode.Parse(entries["config.json"])!.AsObject();
        var options = config["options"]!.AsObject();
        switch (damage)
        {
            case "missing-config": entries.Remove("config.json"); break;
            case "missing-weights": entries.Remove("weights.safetensors"); break;
            case "config-not-json": entries["config.json"] = Encoding.UTF8.GetBytes("{ \"kind\": "); break;
            case "config-not-object": entries["config.json"] = Encoding.UTF8.GetBytes("[1, 2]"); break;
            case "config-missing-kind": config.Remove("kind"); break;
            case "config-missing-options": config.Remove("options"); break;
            case "config-newer-version": config["formatVersion"] = 99; break;
            case "config-bad-shape": config["sampleShape"] = new JsonArray(2, 0); break;
            case "config-bad-latent": config["latentDim"] = -1; break;
            case "unknown-kind": config["kind"] = "mystery"; break;
            case "options-unknown-member": options["bogus"] = 1; break;
            case "options-bad-enum": options["activation"] = "sparkly"; break;
            case "options-invalid-value": options["hidden"] = -3; break;
            case "config-disagrees": config["latentDim"] = 5; break;
            case "weights-garbage": entries["weights.safetensors"] = Encoding.ASCII.GetBytes("\u0010\0\0\0\0\0\0\0{\"a\": nonsense}"); break;
            case "weights-truncated": entries["weights.safetensors"] = entries["weights.safetensors"].AsSpan(0, entries["weights.safetensors"].Length - 7).ToArray(); break;
            case "weights-missing-tensor": entries["weights.safetensors"] = EditWeights(entries["weights.safetensors"], w => { w["enc1.bias"].Dispose(); w.Remove("enc1.bias"); }); break;
            case "weights-extra-tensor": entries["weights.safetensors"] = EditWeights(entries["weights.safetensors"], w => w["extra"] = torch.zeros(1).DetachFromDisposeScope()); break;
            case "weights-wrong-shape": entries["weights.safetensors"] = EditWeights(entries["weights.safetensors"], w => Replace(w, "dec1.weight", torch.zeros(6, 4))); break;
            case "weights-wrong-dtype": entries["weights.safetensors"] = EditWeights(entries["weights.safetensors"], w => Replace(w, "scale", torch.ones(6, ScalarType.Float64))); break;
            default: throw new ArgumentException(damage);
        }
        // Write back the (possibly edited) configuration unless a case replaced its text outright.
        if (entries.ContainsKey("config.json") && damage is not ("config-not-json" or "config-not-object"))
            entries["config.json"] = Encoding.UTF8.GetBytes(config.ToJsonString());
        return WriteEntries(entries);
    }

    /// <summary>Offset just past the stored bytes of weights.safetensors, from its local file header.</summary>
    private static int WeightsDataEnd(byte[] zip)
    {
        var name = Encoding.ASCII.GetBytes("weights.safetensors");
        for (int i = 0; i + 30 + name.Length <= zip.Length; i++)
        {
            if (zip[i] != 0x50 || zip[i + 1] != 0x4B || zip[i + 2] != 3 || zip[i + 3] != 4) continue;
            int nameLength = BitConverter.ToUInt16(zip, i + 26);
            if (!zip.AsSpan(i + 30, nameLength).SequenceEqual(name)) continue;
            int extraLength = BitConverter.ToUInt16(zip, i + 28);
            int size = BitConverter.ToInt32(zip, i + 18);
            return i + 30 + nameLength + extraLength + size;
        }
        throw new InvalidOperationException("weights.safetensors not found in the zip.");
    }

    private static void Replace(Dictionary<string, Tensor> w, string name, Tensor value)
    {
        w[name].Dispose();
        w[name] = value.DetachFromDisposeScope();
    }

    private static byte[] EditWeights(byte[] bytes, Action<Dictionary<string, Tensor>> edit)
    {
        var tensors = StateDictIO.Deserialize(bytes, out _);
        try
        {
            edit(tensors);
            return StateDictIO.Serialize(tensors);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    private static Dictionary<string, byte[]> ReadEntries(byte[] file) =>
        TestSupport.ZipTestFiles.ReadEntries(file).GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.Last().Bytes);

    private static byte[] WriteEntries(Dictionary<string, byte[]> entries) =>
        TestSupport.ZipTestFiles.WriteEntries(entries.Select(e => (e.Key, e.Value)));
}
