using System.ComponentModel;
using Microsoft.ML.Data;

namespace Microsoft.ML.Vae.Mapping;

/// <summary>Input row of every VAE mapping: one sample as a flat vector of floats (any length; checked per row) and the embedded model.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class VaeInputRow
{
    /// <summary>The sample's values, row-major over the model's sample shape.</summary>
    [ColumnName(MappingColumns.Input)]
    public float[] Input { get; set; } = [];

    /// <summary>The model as embedded text (the same for every row; read once, see MappingSource).</summary>
    [ColumnName(MappingColumns.EmbeddedModel)]
    public ReadOnlyMemory<char> EmbeddedModel { get; set; }
}
