using Microsoft.ML.Vae.Core.Models;

namespace Microsoft.ML.Vae;

/// <summary>
/// A model loaded by <see cref="VaeModelFile.Load(MLContext, string)"/>: the ML.NET transformer, its input
/// schema and the VAEs its mappings use. Disposing releases the VAEs' native memory at once (otherwise
/// the garbage collector's finalizers do it); the transformer must not be used afterwards.
/// </summary>
public sealed class VaeLoadedModel : IDisposable
{
    internal VaeLoadedModel(ITransformer transformer, DataViewSchema inputSchema, IReadOnlyList<IVaeModel> models)
    {
        Transformer = transformer;
        InputSchema = inputSchema;
        Models = models;
    }

    /// <summary>The loaded ML.NET model.</summary>
    public ITransformer Transformer { get; }

    /// <summary>The input schema saved with it.</summary>
    public DataViewSchema InputSchema { get; }

    /// <summary>The distinct VAEs of its mappings, in the order they were first used (empty when it holds none).</summary>
    public IReadOnlyList<IVaeModel> Models { get; }

    /// <summary>Disposes the VAEs.</summary>
    public void Dispose()
    {
        foreach (var m in Models) m.Dispose();
    }
}
