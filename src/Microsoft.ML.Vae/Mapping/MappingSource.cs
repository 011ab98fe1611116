using System.Runtime.InteropServices;
using Microsoft.ML.Vae.Persistence;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Mapping;

/// <summary>
/// Where a mapping delegate gets its model and settings. A fitted transformer knows them; a reloaded one
/// reads them from the embedded model text that reaches every row (see <see cref="EmbeddedModel"/>) and decodes
/// it once, at the first row, unless <see cref="VaeModelFile.Load(MLContext, string)"/> decoded it already.
/// Thread-safe: ML.NET may run several cursors at once.
/// </summary>
internal sealed class MappingSource
{
    private readonly object _gate = new();
    private readonly Device _device;
    private readonly IReadOnlyDictionary<string, LoadedMapping>? _decoded;
    private volatile Runtime? _runtime;

    private MappingSource(Runtime? runtime, Device device, IReadOnlyDictionary<string, LoadedMapping>? decoded)
    {
        _runtime = runtime;
        _device = device;
        _decoded = decoded;
    }

    /// <summary>A source for a fitted transformer.</summary>
    public static MappingSource Fixed(LoadedMapping mapping) => new(new Runtime(mapping), CPU, null);

    /// <summary>
    /// A source for a mapping that ML.NET is reloading: the models of the open load session when there is one,
    /// else models decoded from the rows' embedded text onto the CPU.
    /// </summary>
    public static MappingSource ForReload()
    {
        var session = VaeLoadSession.Current;
        return new MappingSource(null, session?.Device ?? CPU, session?.Decoded);
    }

    /// <summary>The model and settings; <paramref name="embedded"/> is the row's embedded model text.</summary>
    /// <exception cref="InvalidDataException">The embedded model is missing or damaged.</exception>
    public Runtime Get(ReadOnlyMemory<char> embedded)
    {
        if (_runtime is { } known) return known;
        lock (_gate)
        {
            if (_runtime is { } raced) return raced;
            string text = MemoryMarshal.TryGetString(embedded, out var s, out int start, out int length) && start == 0 && length == s.Length
                ? s : embedded.ToString();
            var mapping = _decoded is not null && _decoded.TryGetValue(text, out var d)
                ? d
                : EmbeddedModel.Decode(text, _device, "Reloaded ML.NET model");
            return _runtime = new Runtime(mapping);
        }
    }

    /// <summary>A model with its settings and row inference.</summary>
    internal sealed class Runtime(LoadedMapping mapping)
    {
        /// <summary>The settings.</summary>
        public MappingSettings Settings { get; } = mapping.Settings;

        /// <summary>Row inference over the model with the settings' input scale.</summary>
        public RowInference Inference { get; } = new(mapping.Model, mapping.Settings.InputScale);
    }
}
