using Microsoft.ML.Transforms;
using Microsoft.ML.Vae.Persistence;

namespace Microsoft.ML.Vae.Mapping;

/// <summary>
/// Base of the factories through which ML.NET reloads the VAE custom mappings: the model and settings of a
/// reloaded mapping come from the load session that <see cref="VaeModelFile.Load(MLContext, string, out DataViewSchema)"/>
/// opened (mlContext.Model.Load alone has no session and gets a message saying so).
/// </summary>
/// <typeparam name="TRow">The output row type, which fixes the contract.</typeparam>
internal abstract class VaeMappingFactory<TRow> : CustomMappingFactory<VaeInputRow, TRow>
    where TRow : class, new()
{
    /// <summary>The contract under which this factory's mappings are saved.</summary>
    protected abstract string Contract { get; }

    /// <inheritdoc />
    public sealed override Action<VaeInputRow, TRow> GetMapping() => CreateMapping(VaeLoadSession.Take(Contract));

    /// <summary>The mapping delegate for a reloaded model and its saved settings.</summary>
    protected abstract Action<VaeInputRow, TRow> CreateMapping(LoadedMapping loaded);
}
