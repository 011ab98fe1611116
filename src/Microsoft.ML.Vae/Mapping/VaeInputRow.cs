using System.ComponentModel;
using Microsoft.ML.Data;

namespace Microsoft.ML.Vae.Mapping;

/// <summary>Input row of every VAE mapping: one sample as a flat vector of floats (any length; checked per row).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class VaeInputRow
{
    /// <summary>The sample's values, row-major over the model's sample shape.</summary>
    [ColumnName(MappingColumns.Input)]
    public float[] Input { get; set; } = [];
}
