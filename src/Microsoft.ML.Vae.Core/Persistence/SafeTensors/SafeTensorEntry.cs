using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Persistence.SafeTensors;

/// <summary>
/// One tensor of a safetensors file, as raw bytes: its name, element type, shape and
/// row-major (C order) little-endian data.
/// </summary>
/// <param name="Name">Tensor name; non-empty and not <c>__metadata__</c>.</param>
/// <param name="DType">Element type; one of those <see cref="SafeTensorsFormat.IsSupported"/> accepts.</param>
/// <param name="Shape">Dimensions, outermost first; empty for a scalar.</param>
/// <param name="Data">
/// The elements in row-major order, little-endian, exactly
/// <c>DType.ElementSize() × product(Shape)</c> bytes. Entries produced by
/// <see cref="SafeTensorsFormat"/>'s readers alias the buffer that was read.
/// </param>
/// <remarks>
/// Equality is the compiler-generated record equality: <see cref="Shape"/> and <see cref="Data"/>
/// compare by reference, not by content.
/// </remarks>
public sealed record SafeTensorEntry(string Name, ScalarType DType, long[] Shape, ReadOnlyMemory<byte> Data)
{
    /// <summary>Number of elements, the product of <see cref="Shape"/> (1 for a scalar).</summary>
    /// <exception cref="OverflowException">The product does not fit in a <see cref="long"/>.</exception>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (long dim in Shape)
            {
                if (dim == 0)
                {
                    return 0;
                }
            }
            foreach (long dim in Shape)
            {
                count = checked(count * dim);
            }
            return count;
        }
    }

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Name = ").Append(Name)
               .Append(", DType = ").Append(DType)
               .Append(", Shape = [").AppendJoin(", ", Shape ?? []).Append(']')
               .Append(", Data = ").Append(Data.Length).Append(" bytes");
        return true;
    }
}
