using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Engine;

/// <summary>Small checks and readings of tensors that TorchSharp has no single call for.</summary>
public static class TensorChecks
{
    /// <summary>True when every element is finite (no NaN or infinity); always true for integer and bool tensors.</summary>
    public static bool AllFinite(this Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!torch.is_floating_point(tensor) && !torch.is_complex(tensor)) return true;
        using var finite = tensor.isfinite();
        using var all = finite.all();
        return all.ItemAsDouble() != 0;
    }

    /// <summary>
    /// The value of a one-element tensor (any dtype, any device) as a double, like libtorch's
    /// <c>item&lt;double&gt;()</c>: integers convert exactly up to 2^53, bool gives 0 or 1.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor does not hold exactly one element, or holds complex numbers.</exception>
    public static double ItemAsDouble(this Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        long n = tensor.numel();
        if (n != 1)
            throw new ArgumentException($"Expected a tensor with one element, got shape {tensor.ShapeString()} ({n} elements).", nameof(tensor));
        if (tensor.device_type != DeviceType.CPU)
        {
            // TorchSharp's item<T> would leave its own CPU copy to the garbage collector.
            using var host = tensor.cpu();
            return Read(host);
        }
        return Read(tensor);
    }

    private static double Read(Tensor tensor)
    {
        switch (tensor.dtype)
        {
            case ScalarType.Float32: return tensor.item<float>();
            case ScalarType.Float64: return tensor.item<double>();
            case ScalarType.Int64: return tensor.item<long>();
            case ScalarType.Int32: return tensor.item<int>();
            case ScalarType.Int16: return tensor.item<short>();
            case ScalarType.Int8: return tensor.item<sbyte>();
            case ScalarType.Byte: return tensor.item<byte>();
            case ScalarType.Bool: return tensor.item<bool>() ? 1.0 : 0.0;
            case ScalarType.Float16:
            case ScalarType.BFloat16:
            {
                // Both widen to float32 exactly.
                using var wide = tensor.to_type(ScalarType.Float32);
                return wide.item<float>();
            }
            default:
                throw new ArgumentException($"A {tensor.dtype} tensor has no real value to read as a double.", nameof(tensor));
        }
    }

    /// <summary>The shape as "[2, 3]" ("[]" for a scalar), for messages.</summary>
    public static string ShapeString(this Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return "[" + string.Join(", ", tensor.shape) + "]";
    }
}
