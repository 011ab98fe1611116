using System.Runtime.InteropServices;
using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch;

// Copies between managed memory and tensors: one memcpy each way, no per-element loops.
public sealed partial class Tensor
{
    /// <summary>Creates a CPU tensor holding a copy of <paramref name="data"/> with the given shape.</summary>
    public static Tensor From<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape) where T : unmanaged
    {
        var dtype = DTypeOf<T>();
        long n = 1;
        foreach (var s in shape)
        {
            if (s < 0) throw new ArgumentException($"Shape [{string.Join(", ", shape.ToArray())}] has a negative dimension.", nameof(shape));
            n = checked(n * s);
        }
        if (n != data.Length)
            throw new ArgumentException($"Shape [{string.Join(", ", shape.ToArray())}] needs {n} elements but {data.Length} were given.", nameof(data));
        return FromBytes(MemoryMarshal.AsBytes(data), shape, dtype);
    }

    /// <summary>Creates a 1-D CPU tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor From<T>(ReadOnlySpan<T> data) where T : unmanaged => From(data, [data.Length]);

    /// <summary>Creates a 1-D CPU tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor From<T>(T[] data) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return From<T>(data.AsSpan(), [data.Length]);
    }

    /// <summary>Creates a CPU tensor with the given shape from a copy of <paramref name="data"/>.</summary>
    public static Tensor From<T>(T[] data, params long[] shape) where T : unmanaged
    {
        // A null array would otherwise become an empty span and silently give an empty tensor.
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        return From<T>(data.AsSpan(), shape);
    }

    /// <summary>Creates a CPU scalar (0-dimensional) tensor.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32)
    {
        using var t = From<double>([value], ReadOnlySpan<long>.Empty);
        return dtype == DType.Float64 ? t.Clone() : t.To(dtype);
    }

    /// <summary>Creates a CPU tensor from raw little-endian bytes of the given dtype.</summary>
    public static unsafe Tensor FromBytes(ReadOnlySpan<byte> bytes, ReadOnlySpan<long> shape, DType dtype)
    {
        fixed (byte* d = bytes)
        fixed (long* s = shape)
            return Wrap(NativeMethods.vt_from_data(d, bytes.Length, s, shape.Length, (int)dtype));
    }

    /// <summary>Copies the elements (moved to the CPU, row-major) into <paramref name="destination"/>.</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        var dtype = DTypeOf<T>();
        if (dtype != DType)
            throw new ArgumentException($"The tensor holds {DType} elements; copy into a span of that type or convert with To({dtype}) first.");
        var bytes = MemoryMarshal.AsBytes(destination);
        fixed (byte* p = bytes) NativeMethods.Check(NativeMethods.vt_copy_to_host(H, p, bytes.Length));
    }

    /// <summary>Copies the raw element bytes (CPU, row-major).</summary>
    public unsafe byte[] ToBytes()
    {
        var bytes = new byte[checked(NumberOfElements * DType.ElementSize())];
        fixed (byte* p = bytes) NativeMethods.Check(NativeMethods.vt_copy_to_host(H, p, bytes.Length));
        return bytes;
    }

    /// <summary>Returns the elements as a flat array, converting the dtype when needed.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var dtype = DTypeOf<T>();
        var result = new T[NumberOfElements];
        if (dtype == DType) CopyTo<T>(result);
        else
        {
            using var converted = To(dtype);
            converted.CopyTo<T>(result);
        }
        return result;
    }

    /// <summary>The value of a one-element tensor as a double.</summary>
    public double Item()
    {
        NativeMethods.Check(NativeMethods.vt_item_double(H, out var v));
        return v;
    }

    /// <summary>The value of a one-element tensor as a long.</summary>
    public long ItemLong()
    {
        NativeMethods.Check(NativeMethods.vt_item_long(H, out var v));
        return v;
    }

    /// <summary>The value of a one-element tensor as a float.</summary>
    public float ItemSingle() => (float)Item();

    internal static DType DTypeOf<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return DType.Float32;
        if (typeof(T) == typeof(double)) return DType.Float64;
        if (typeof(T) == typeof(long)) return DType.Int64;
        if (typeof(T) == typeof(int)) return DType.Int32;
        if (typeof(T) == typeof(byte)) return DType.UInt8;
        if (typeof(T) == typeof(sbyte)) return DType.Int8;
        if (typeof(T) == typeof(short)) return DType.Int16;
        if (typeof(T) == typeof(bool)) return DType.Bool;
        if (typeof(T) == typeof(Half)) return DType.Float16;
        throw new NotSupportedException($"Element type {typeof(T).Name} has no tensor dtype.");
    }
}
