using System.ComponentModel;
using Microsoft.ML.Transforms;
using Microsoft.ML.Vae.Persistence;

namespace Microsoft.ML.Vae.Mapping;

/// <summary>
/// Base of the reconstruction factories: on reload the model and settings come from the load session that
/// <see cref="VaeModel.Load(MLContext, string, out DataViewSchema)"/> opened.
/// </summary>
/// <typeparam name="TRow">The output row type of one image shape.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class ReconstructionMappingFactory<TRow> : CustomMappingFactory<VaeInputRow, TRow>
    where TRow : class, IReconstructionRow, new()
{
    /// <inheritdoc />
    public override Action<VaeInputRow, TRow> GetMapping()
    {
        var entry = VaeLoadSession.Take(ReconstructionMenu.For<TRow>().Contract);
        var s = entry.Settings;
        return new ReconstructionMapper(new RowInference(entry.Model, s.InputScale), s.OutputScale, s.ExpandGrayscaleToRgb).Map;
    }
}
