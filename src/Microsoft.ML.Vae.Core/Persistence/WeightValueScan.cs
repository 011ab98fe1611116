using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Persistence;

using Microsoft.ML.Vae.Core.Persistence.SafeTensors;

/// <summary>
/// Finds stored floating-point weights that are NaN, ±Inf or larger in magnitude than
/// <see cref="ModelLoadOptions.MaxAbsWeight"/>, straight from the safetensors bytes (no tensor is made).
/// </summary>
internal static class WeightValueScan
{
    /// <summary>The number of suspect values and a description of the first one ("weight 'x' holds NaN at index 3"), or null.</summary>
    public static (long Count, string? First) Scan(SafeTensorsFile weights)
    {
        long count = 0;
        string? first = null;
        foreach (var (name, entry) in weights.Entries)
        {
            var bytes = entry.Data.Span;
            var (n, at, value) = entry.DType switch
            {
                ScalarType.Float32 => CountVectorized(MemoryMarshal.Cast<byte, float>(bytes), (float)ModelLoadOptions.MaxAbsWeight, static v => v),
                ScalarType.Float64 => CountVectorized(MemoryMarshal.Cast<byte, double>(bytes), ModelLoadOptions.MaxAbsWeight, static v => v),
                ScalarType.Float16 => Count(MemoryMarshal.Cast<byte, Half>(bytes), static v => (double)v),
                // bfloat16 is the upper half of a float32.
                ScalarType.BFloat16 => Count(MemoryMarshal.Cast<byte, ushort>(bytes), static v => BitConverter.Int32BitsToSingle(v << 16)),
                _ => (0L, -1L, 0.0),
            };
            if (n == 0) continue;
            count += n;
            first ??= $"weight '{name}' holds {Describe(value)} at index {at}";
        }
        return (count, first);
    }

    /// <summary>
    /// Skips whole SIMD vectors whose magnitudes are all within the limit (NaN fails the comparison), and counts
    /// element by element only in the vectors that hold a suspect value: a clean file costs one pass at memory speed.
    /// </summary>
    private static (long Count, long FirstAt, double FirstValue) CountVectorized<T>(ReadOnlySpan<T> values, T limit, Func<T, double> toDouble)
        where T : unmanaged, INumber<T>
    {
        long count = 0, firstAt = -1;
        double firstValue = 0;
        var bound = new Vector<T>(limit);
        int width = Vector<T>.Count, i = 0;
        for (; i + width <= values.Length; i += width)
        {
            var v = new Vector<T>(values.Slice(i, width));
            if (Vector.LessThanOrEqualAll(Vector.Abs(v), bound)) continue;
            var (n, at, value) = Count(values.Slice(i, width), toDouble);
            if (count == 0) { firstAt = i + at; firstValue = value; }
            count += n;
        }
        if (i < values.Length)
        {
            var (n, at, value) = Count(values[i..], toDouble);
            if (n > 0 && count == 0) { firstAt = i + at; firstValue = value; }
            count += n;
        }
        return (count, firstAt, firstValue);
    }

    private static (long Count, long FirstAt, double FirstValue) Count<T>(ReadOnlySpan<T> values, Func<T, double> toDouble)
    {
        long count = 0, firstAt = -1;
        double firstValue = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double v = toDouble(values[i]);
            // Written so that NaN (all comparisons false) counts too.
            if (!(Math.Abs(v) <= ModelLoadOptions.MaxAbsWeight))
            {
                if (count++ == 0) { firstAt = i; firstValue = v; }
            }
        }
        return (count, firstAt, firstValue);
    }

    private static string Describe(double v) =>
        double.IsNaN(v) ? "NaN" : double.IsPositiveInfinity(v) ? "+Inf" : double.IsNegativeInfinity(v) ? "-Inf"
        : $"{v:G3} (beyond the limit of ±{ModelLoadOptions.MaxAbsWeight:G0})";
}
