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
                $"[{string.Join(", ", sampleShape)}] = {sampleSize} values. {SizeHint(vector.Size, sampleShape)}");
        return column;
    }

    /// <summary>
    /// The sample shape a family call (which has none of its own) takes from the column: its dimensions when it
    /// has three (ExtractPixels gives [planes, H, W]), one gray plane [1, H, W] for two, [1, s, s] for a flat
    /// vector of s² values (raw square images), else the flat length.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing, not a float vector, or of variable length.</exception>
    public static long[] SampleShapeOf(DataViewSchema inputSchema, string columnName, string component)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (inputSchema.GetColumnOrNull(columnName) is not DataViewSchema.Column column)
            throw Missing(columnName, component, inputSchema.Where(c => !c.IsHidden).Select(c => c.Name));
        if (column.Type is not VectorDataViewType vector || !vector.ItemType.Equals(NumberDataViewType.Single))
            throw WrongType(columnName, component, column.Type?.ToString() ?? "of an unknown type");
        if (!vector.IsKnownSize)
            throw new ArgumentOutOfRangeException(nameof(inputSchema),
                $"{component}: input column '{columnName}' holds vectors of variable length, so the sample shape cannot be taken from it. " +
                "Resize images to one size first (ResizeImages), or give the shape explicitly with DpVae(..., new DpVaeOptions { SampleShape = ... }).");
        var dims = vector.Dimensions.Select(d => (long)d).ToArray();
        if (dims.Length == 3) return dims;
        if (dims.Length == 2) return [1, dims[0], dims[1]];
        long side = (long)Math.Round(Math.Sqrt(vector.Size));
        return side > 1 && side * side == vector.Size ? [1, side, side] : [vector.Size];
    }

    // ImageAnalytics' ExtractPixels gives three planes by default; gray models need one, and the other way round.
    private static string SizeHint(int size, IReadOnlyList<long> sampleShape)
    {
        if (sampleShape.Count == 3)
        {
            long planes = sampleShape[0], pixels = sampleShape[1] * sampleShape[2];
            if (planes == 1 && size == 3 * pixels)
                return "The column holds three color planes but the model is gray (one plane): extract one with " +
                    "ExtractPixels(..., colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red) (after ConvertToGrayscale for color images).";
            if (planes == 3 && size == pixels)
                return "The column holds one plane but the model takes red, green and blue planes: extract them with " +
                    "ExtractPixels(..., colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Rgb).";
            if (size % pixels != 0 || size / pixels is not (1 or 3 or 4))
                return $"Resize the images to the model's size with ResizeImages(..., imageWidth: {sampleShape[2]}, imageHeight: {sampleShape[1]}) before ExtractPixels, " +
                    "or choose a model whose sample shape matches the data.";
        }
        return "Resize the images or choose a model whose sample shape matches the data.";
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
