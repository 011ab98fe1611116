namespace Microsoft.ML.Vae.Torch.Serialization;

/// <summary>Saves and loads named tensors (state dicts) as safetensors, readable by Python's <c>safetensors</c>.</summary>
public static class StateDictIO
{
    /// <summary>Serializes tensors (copied to the CPU) into safetensors bytes.</summary>
    public static byte[] Serialize(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = tensors.Select(kv => new SafeTensorEntry(kv.Key, kv.Value.DType, kv.Value.Shape, kv.Value.ToBytes()));
        return SafeTensorsFormat.Serialize(entries, metadata);
    }

    /// <summary>Writes tensors to a stream in safetensors layout.</summary>
    public static void Save(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = Serialize(tensors, metadata);
        stream.Write(bytes);
    }

    /// <summary>
    /// Reads a safetensors buffer into new CPU tensors (the caller owns them). Invalid or hostile
    /// input raises <see cref="InvalidDataException"/>.
    /// </summary>
    public static Dictionary<string, Tensor> Deserialize(byte[] bytes, out IReadOnlyDictionary<string, string> metadata)
    {
        var file = SafeTensorsFormat.Read(bytes);
        metadata = file.Metadata;
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, e) in file.Entries)
                result[name] = Tensor.FromBytes(e.Data.Span, e.Shape, e.DType).DetachFromScope();
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }

    /// <summary>Reads a safetensors stream (bounded size) into new CPU tensors.</summary>
    public static Dictionary<string, Tensor> Load(Stream stream, out IReadOnlyDictionary<string, string> metadata, long maxLength = 1L << 34)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var ms = new MemoryStream();
        var buffer = new byte[1 << 20];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (ms.Length + n > maxLength) throw new InvalidDataException($"The weights are larger than the limit of {maxLength} bytes.");
            ms.Write(buffer, 0, n);
        }
        return Deserialize(ms.ToArray(), out metadata);
    }

    /// <summary>Loads a safetensors file into a module's parameters and buffers (strict names and shapes).</summary>
    public static void LoadInto(NN.Module module, byte[] bytes, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        var tensors = Deserialize(bytes, out _);
        try { module.LoadStateDict(tensors, strict); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
    }
}
