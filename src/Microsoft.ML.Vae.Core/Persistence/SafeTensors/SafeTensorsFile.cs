using System.Collections.ObjectModel;

namespace Microsoft.ML.Vae.Core.Persistence.SafeTensors;

/// <summary>
/// The validated contents of a safetensors file: its tensors, in the order the header lists
/// them, and its optional string metadata. Produced by <see cref="SafeTensorsFormat"/>'s readers.
/// </summary>
public sealed class SafeTensorsFile
{
    internal SafeTensorsFile(OrderedDictionary<string, SafeTensorEntry> entries, OrderedDictionary<string, string> metadata)
    {
        Entries = new ReadOnlyDictionary<string, SafeTensorEntry>(entries);
        Metadata = new ReadOnlyDictionary<string, string>(metadata);
    }

    /// <summary>Tensors by name; enumeration follows the order of the header.</summary>
    public IReadOnlyDictionary<string, SafeTensorEntry> Entries { get; }

    /// <summary>
    /// The <c>__metadata__</c> string pairs in header order; empty when the file has none.
    /// </summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The file has no tensor of that name.</exception>
    public SafeTensorEntry this[string name] =>
        Entries.TryGetValue(name, out SafeTensorEntry? entry)
            ? entry
            : throw new KeyNotFoundException($"The safetensors file has no tensor named '{name}'.");
}
