using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Persistence.SafeTensors;

/// <summary>Saves and loads named tensors (state dicts) as safetensors, readable by Python's <c>safetensors</c>.</summary>
public static class StateDictIO
{
    /// <summary>Serializes tensors (copied to the CPU) into safetensors bytes.</summary>
    /// <exception cref="ArgumentException">A name is invalid or a tensor's dtype has no safetensors name (see <see cref="SafeTensorsFormat.Write"/>).</exception>
    public static byte[] Serialize(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var entries = tensors.Select(kv => ToEntry(kv.Key, kv.Value));
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
    /// Reads a safetensors buffer into new CPU tensors (the caller owns them: they belong to no dispose
    /// scope). Invalid or hostile input raises <see cref="InvalidDataException"/> before any tensor exists.
    /// </summary>
    public static Dictionary<string, Tensor> Deserialize(byte[] bytes, out IReadOnlyDictionary<string, string> metadata)
    {
        var file = SafeTensorsFormat.Read(bytes);
        metadata = file.Metadata;
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, e) in file.Entries)
                result[name] = TensorData.FromBytes(e.Data.Span, e.Shape, e.DType).DetachFromDisposeScope();
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

    /// <summary>
    /// Loads a safetensors file into a module's parameters and buffers. The file's header (names, shapes,
    /// dtypes) is checked against <c>module.state_dict()</c> before any tensor is made, so a file for another
    /// architecture costs no memory. Floating-point values convert to the module's floating dtype (a bfloat16
    /// file loads into a float32 module); other dtypes must match. The copy goes through the module's
    /// <c>load_state_dict</c>, so a module that refreshes cached state there sees the new values.
    /// </summary>
    /// <param name="module">The module to fill.</param>
    /// <param name="bytes">The safetensors file.</param>
    /// <param name="strict">When true (default), the names must match exactly; when false, missing names keep their values and unexpected names are ignored.</param>
    /// <exception cref="InvalidDataException">The bytes are not a valid safetensors file.</exception>
    /// <exception cref="ArgumentException">The file does not match the module (names, shapes or dtypes).</exception>
    public static void LoadInto(nn.Module module, byte[] bytes, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        var file = SafeTensorsFormat.Read(bytes);
        var own = module.state_dict();
        Check(own, file.Entries.ToDictionary(kv => kv.Key, kv => (kv.Value.Shape, kv.Value.DType), StringComparer.Ordinal), strict);
        using var scope = torch.NewDisposeScope();
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, entry) in file.Entries)
        {
            if (own.ContainsKey(name)) state[name] = TensorData.FromBytes(entry.Data.Span, entry.Shape, entry.DType);
        }
        // Everything was checked: the module's own load_state_dict only copies (under no_grad) now.
        module.load_state_dict(state, strict);
    }

    /// <summary>
    /// Copies <paramref name="state"/> into a module's parameters and buffers, with the same checks and
    /// messages as <see cref="LoadInto(nn.Module, byte[], bool)"/> (TorchSharp's own <c>load_state_dict</c>
    /// neither names the mismatching tensors nor checks shapes: it would broadcast a smaller tensor). The
    /// source tensors may live on any device; they are only read.
    /// </summary>
    /// <exception cref="ArgumentException">The state does not match the module (names, shapes or dtypes).</exception>
    public static void LoadInto(nn.Module module, IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(state);
        var own = module.state_dict();
        Check(own, state.ToDictionary(kv => kv.Key, kv => (kv.Value.shape, kv.Value.dtype), StringComparer.Ordinal), strict);
        module.load_state_dict(state.Where(kv => own.ContainsKey(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal), strict);
    }

    private static SafeTensorEntry ToEntry(string name, Tensor tensor)
    {
        if (tensor is null) throw new ArgumentException($"Tensor '{name}' is null.", "tensors");
        // Unsupported dtypes are reported by SafeTensorsFormat with the tensor's name; do not copy their data first.
        ReadOnlyMemory<byte> data = SafeTensorsFormat.IsSupported(tensor.dtype) ? TensorData.ToBytes(tensor) : ReadOnlyMemory<byte>.Empty;
        return new SafeTensorEntry(name, tensor.dtype, tensor.shape, data);
    }

    private static void Check(Dictionary<string, Tensor> own, Dictionary<string, (long[] Shape, ScalarType DType)> state, bool strict)
    {
        if (strict)
        {
            var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
            var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException(
                    $"State does not match the module: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}].");
        }
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var source)) continue;
            var ts = target.shape;
            if (!ts.SequenceEqual(source.Shape))
                throw new ArgumentException($"Shape mismatch for '{name}': the module has [{string.Join(", ", ts)}], the state has [{string.Join(", ", source.Shape)}].");
            if (target.dtype != source.DType && !(torch.is_floating_point(target.dtype) && torch.is_floating_point(source.DType)))
                throw new ArgumentException($"Dtype mismatch for '{name}': the module has {target.dtype}, the state has {source.DType}.");
        }
    }
}
