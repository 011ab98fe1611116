using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Data;

/// <summary>Reads an input column into a CPU tensor [N, ..sampleShape] that the core's samplers and metrics take.</summary>
internal static class DataTensors
{
    /// <summary>The first <paramref name="maxRows"/> rows of <paramref name="columnName"/>, scaled, as float32 [N, ..model.SampleShape] (caller's scope).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The column is missing or not a float vector of the model's sample size.</exception>
    public static Tensor Read(IDataView data, string columnName, IVaeModel model, float scale, long? maxRows, string component)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(model);
        var shape = model.SampleShape;
        long sampleSize = shape.Aggregate(1L, (a, b) => checked(a * b));
        var column = InputColumn.Check(data.Schema, columnName, sampleSize, shape, component);
        var (values, rows) = ColumnReader.ReadVectors(data, column, checked((int)sampleSize), scale, maxRows);
        long[] dimensions = [rows, .. shape];
        return torch.tensor(values, dimensions);
    }
}
