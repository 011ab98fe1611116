using Microsoft.ML.Data;

namespace Microsoft.ML.Vae.Data;

/// <summary>
/// Checks that an input column can feed a VAE: a vector of <see cref="float"/> (Single) values whose
/// length, when known, is the model's sample size. Errors name the column, what it holds and what is
/// expected, and are raised as <see cref="ArgumentOutOfRangeException"/> like ML.NET's own schema errors.
/// </summary>
internal static class InputColumn
{
    /// <summary>Checks <paramref name="columnName"/> in a schema shape (estimator schema propagation: the vector length is not known there).</summary>
    public static void Check(SchemaShape inputSchema, string columnName, string component)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        // SchemaShape.TryFindColumn is internal to ML.NET; a schema shape holds visible columns only, once each.
        if (inputSchema.Where(c => c.Name == columnName).Select(c => (SchemaShape.Column?)c).FirstOrDefault() is not { } column)
            throw Missing(columnName, component, inputSchema.Select(c => c.Name));
        if (column.Kind == SchemaShape.Column.VectorKind.Scalar || column.IsKey || !column.ItemType.Equals(NumberDataViewType.Single))
        {
            string found = (column.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : "Vector<") + (column.IsKey ? "Key<" : "")
                + column.ItemType + (column.IsKey ? ">" : "") + (column.Kind == SchemaShape.Column.VectorKind.Scalar ? "" : ">");
            throw WrongType(columnName, component, found);
        }
    }

    /// <summary>Checks <paramref name="columnName"/> in a full schema, including the vector length when it is known.</summary>
    /// <returns>The column.</returns>
    public static DataViewSchema.Column Check(DataViewSchema inputSchema, string columnName, long sampleSize, IReadOnlyList<long> sampleShape, string component)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var found = inputSchema.GetColumnOrNull(columnName);
        if (found is not DataViewSchema.Column column)
            throw Missing(columnName, component, inputSchema.Where(c => !c.IsHidden).Select(c => c.Name));
        if (column.Type is not VectorDataViewType vector || !vector.ItemType.Equals(NumberDataViewType.Single))
            throw WrongType(columnName, component, column.Type?.ToString() ?? "of an unknown type");
        if (vector.IsKnownSize && vector.Size != sampleSize)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"{component}: input column '{columnName}' holds vectors of {vector.Size} values, but the model's samples are " +
                $"[{string.Join(", ", sampleShape)}] = {sampleSize} values. Resize the images or choose a model whose sample shape matches the data.");
        return column;
    }

    private static ArgumentOutOfRangeException Missing(string columnName, string component, IEnumerable<string> available) =>
        new("inputSchema",
            $"{component}: input column '{columnName}' was not found. Available columns: {string.Join(", ", available.Select(n => $"'{n}'"))}.");

    private static ArgumentOutOfRangeException WrongType(string columnName, string component, string found) =>
        new("inputSchema",
            $"{component}: input column '{columnName}' must be a vector of Single (float) pixel or feature values, but it is {found}. " +
            "Convert it first, e.g. mlContext.Transforms.Conversion.ConvertType(columnName, outputKind: DataKind.Single), " +
            "or extract pixels with ExtractPixels(..., outputAsFloatArray: true).");
}
