using System.ComponentModel;
using Microsoft.ML.Transforms;
using Microsoft.ML.Vae.Persistence;

namespace Microsoft.ML.Vae.Mapping;

/// <summary>
/// Base of the featurizer factories: when ML.NET reloads a featurizer, the model and settings come from
/// the load session that <see cref="VaeModel.Load(MLContext, string, out DataViewSchema)"/> opened.
/// </summary>
/// <typeparam name="TRow">The output row type of one latent size.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class LatentMappingFactory<TRow> : CustomMappingFactory<VaeInputRow, TRow>
    where TRow : class, ILatentRow, new()
{
    /// <inheritdoc />
    public override Action<VaeInputRow, TRow> GetMapping()
    {
        var entry = VaeLoadSession.Take(LatentMenu.For<TRow>().Contract);
        return new LatentMapper(new RowInference(entry.Model, entry.Settings.InputScale)).Map;
    }
}
