using Microsoft.ML.Data;

namespace Microsoft.ML.Vae.Data;

/// <summary>Reads whole columns of an <see cref="IDataView"/> into arrays through the public cursor API.</summary>
internal static class ColumnReader
{
    /// <summary>
    /// Every row of a float vector column, each multiplied by <paramref name="scale"/>, concatenated row
    /// by row; sparse vectors are expanded.
    /// </summary>
    /// <param name="data">The data.</param>
    /// <param name="column">A float vector column (already checked by <see cref="InputColumn"/>).</param>
    /// <param name="sampleSize">Values each row must hold.</param>
    /// <param name="scale">Factor applied to every value.</param>
    /// <param name="maxRows">Read at most this many rows (null: all).</param>
    /// <returns>The values and the number of rows read.</returns>
    /// <exception cref="ArgumentException">A row has the wrong length or holds NaN or infinity.</exception>
    public static (float[] Values, int Rows) ReadVectors(IDataView data, DataViewSchema.Column column, int sampleSize, float scale, long? maxRows = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var rows = new List<float[]>();
        using (var cursor = data.GetRowCursor(new[] { column }))
        {
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            var buffer = default(VBuffer<float>);
            while ((maxRows is null || rows.Count < maxRows) && cursor.MoveNext())
            {
                getter(ref buffer);
                if (buffer.Length != sampleSize)
                    throw new ArgumentException(
                        $"Row {rows.Count} of column '{column.Name}' holds {buffer.Length} values; the model expects {sampleSize}.", nameof(data));
                var row = new float[sampleSize];
                var values = buffer.GetValues();
                if (buffer.IsDense)
                {
                    for (int i = 0; i < sampleSize; i++) row[i] = values[i] * scale;
                }
                else
                {
                    var indices = buffer.GetIndices();
                    for (int i = 0; i < indices.Length; i++) row[indices[i]] = values[i] * scale;
                }
                foreach (var v in row)
                    if (!float.IsFinite(v))
                        throw new ArgumentException($"Row {rows.Count} of column '{column.Name}' holds NaN or infinity.", nameof(data));
                rows.Add(row);
            }
        }
        if (rows.Count == 0) throw new ArgumentException($"Column '{column.Name}' has no rows.", nameof(data));
        var all = new float[checked((long)rows.Count * sampleSize)];
        for (int r = 0; r < rows.Count; r++) rows[r].CopyTo(all, (long)r * sampleSize);
        return (all, rows.Count);
    }

    /// <summary>
    /// Class indices 0…K−1 from a label column: a key column (ML.NET's 1-based keys become 0-based) or a
    /// numeric column holding non-negative whole numbers.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or of another type.</exception>
    /// <exception cref="ArgumentException">A value is missing, negative or fractional.</exception>
    public static long[] ReadLabels(IDataView data, string columnName, long? maxRows = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var found = data.Schema.GetColumnOrNull(columnName);
        if (found is not DataViewSchema.Column column)
            throw new ArgumentOutOfRangeException(nameof(columnName), $"Label column '{columnName}' was not found.");
        var type = column.Type;
        using var cursor = data.GetRowCursor(new[] { column });
        Func<double> read;
        bool isKey = false;
        if (type is KeyDataViewType)
        {
            isKey = true;
            var g = cursor.GetGetter<uint>(column);
            read = () => { uint v = 0; g(ref v); return v; };
        }
        else if (type.Equals(NumberDataViewType.Single)) read = Reader<float>(cursor, column, v => v);
        else if (type.Equals(NumberDataViewType.Double)) read = Reader<double>(cursor, column, v => v);
        else if (type.Equals(NumberDataViewType.Int32)) read = Reader<int>(cursor, column, v => v);
        else if (type.Equals(NumberDataViewType.Int64)) read = Reader<long>(cursor, column, v => v);
        else if (type.Equals(NumberDataViewType.UInt32)) read = Reader<uint>(cursor, column, v => v);
        else if (type.Equals(NumberDataViewType.Byte)) read = Reader<byte>(cursor, column, v => v);
        else
            throw new ArgumentOutOfRangeException(nameof(columnName),
                $"Label column '{columnName}' is {type}; a key column (MapValueToKey) or a numeric column of class indices is needed.");

        var labels = new List<long>();
        while ((maxRows is null || labels.Count < maxRows) && cursor.MoveNext())
        {
            double v = read();
            if (isKey)
            {
                if (v == 0) throw new ArgumentException($"Row {labels.Count} of label column '{columnName}' holds a missing key.", nameof(data));
                v -= 1;
            }
            if (!(v >= 0) || v != Math.Floor(v) || v > int.MaxValue)
                throw new ArgumentException($"Row {labels.Count} of label column '{columnName}' holds {v}, not a class index (a whole number ≥ 0).", nameof(data));
            labels.Add((long)v);
        }
        return labels.ToArray();
    }

    private static Func<double> Reader<T>(DataViewRowCursor cursor, DataViewSchema.Column column, Func<T, double> convert)
    {
        var getter = cursor.GetGetter<T>(column);
        return () =>
        {
            T value = default!;
            getter(ref value);
            return convert(value);
        };
    }
}
