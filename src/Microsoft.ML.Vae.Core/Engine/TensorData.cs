using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Engine;

/// <summary>
/// Raw element bytes in and out of tensors: row-major (C order), in the host's byte order (little-endian on
/// every platform libtorch supports), the layout safetensors files use.
/// </summary>
public static class TensorData
{
    /// <summary>
    /// A new CPU tensor of <paramref name="dtype"/> and <paramref name="shape"/> holding a copy of
    /// <paramref name="bytes"/>. The sizes are checked before anything is allocated.
    /// </summary>
    /// <exception cref="ArgumentException">A dimension is negative, the size overflows, or <paramref name="bytes"/> does not hold exactly the bytes the shape needs.</exception>
    public static Tensor FromBytes(ReadOnlySpan<byte> bytes, long[] shape, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        bool empty = false;
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] < 0)
                throw new ArgumentException($"Shape [{string.Join(", ", shape)}] has a negative dimension.", nameof(shape));
            if (shape[d] == 0) empty = true;
        }
        long need = 0;
        if (!empty)
        {
            try
            {
                foreach (long dim in shape) count = checked(count * dim);
                need = checked(count * dtype.ElementSize());
            }
            catch (OverflowException)
            {
                throw new ArgumentException($"Shape [{string.Join(", ", shape)}] of {dtype} elements is too large.", nameof(shape));
            }
        }
        if (need != bytes.Length)
            throw new ArgumentException(
                $"The data has {bytes.Length} bytes but shape [{string.Join(", ", shape)}] of {dtype} elements needs {need}.", nameof(bytes));
        var tensor = torch.empty(shape, dtype, torch.CPU);
        if (need > 0)
        {
            try
            {
                bytes.CopyTo(tensor.bytes);
            }
            catch
            {
                tensor.Dispose();
                throw;
            }
        }
        return tensor;
    }

    /// <summary>
    /// Copies the elements' raw bytes, row-major, from a tensor of any layout on any device (a CPU copy is
    /// made when needed and released at once).
    /// </summary>
    /// <exception cref="ArgumentException">The tensor holds more than 2 GiB.</exception>
    public static byte[] ToBytes(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        long length = checked(tensor.numel() * tensor.ElementSize);
        if (length > Array.MaxLength)
            throw new ArgumentException($"A tensor of {length} bytes does not fit in a byte array.", nameof(tensor));
        if (length == 0) return [];
        if (tensor.device_type == DeviceType.CPU && tensor.is_contiguous())
            return tensor.bytes.ToArray();
        using var detached = tensor.detach();
        using var onHost = detached.cpu();
        using var host = onHost.contiguous();
        return host.bytes.ToArray();
    }
}
