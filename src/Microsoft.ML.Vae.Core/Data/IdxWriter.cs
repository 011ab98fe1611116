using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Persistence;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Data;

/// <summary>
/// Writes unsigned-byte IDX files (the MNIST format) that <see cref="IdxReader"/> and other
/// MNIST readers load; gzip-compressed when the path ends with ".gz".
/// </summary>
public static class IdxWriter
{
    /// <summary>Writes <paramref name="data"/> (row-major) with the given dimension sizes.</summary>
    /// <param name="path">The file to create or overwrite (atomically); ".gz" selects gzip compression.</param>
    /// <param name="data">Exactly prod(<paramref name="dimensions"/>) bytes.</param>
    /// <param name="dimensions">1 to 255 positive sizes, e.g. [N, 28, 28] for images or [N] for labels.</param>
    public static void WriteUnsignedBytes(string path, ReadOnlySpan<byte> data, ReadOnlySpan<int> dimensions)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (dimensions.Length is < 1 or > 255)
            throw new ArgumentException($"An IDX file has 1 to 255 dimensions, not {dimensions.Length}.", nameof(dimensions));
        long total = 1;
        foreach (var d in dimensions)
        {
            if (d <= 0) throw new ArgumentException($"IDX sizes must be positive: [{string.Join(", ", dimensions.ToArray())}].", nameof(dimensions));
            total = checked(total * d);
        }
        if (total != data.Length)
            throw new ArgumentException($"Sizes [{string.Join(", ", dimensions.ToArray())}] need {total} bytes but {data.Length} were given.", nameof(data));

        var header = new byte[4 + 4 * dimensions.Length];
        header[2] = IdxReader.UnsignedByteType;
        header[3] = (byte)dimensions.Length;
        for (int i = 0; i < dimensions.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dimensions[i]);

        var bytes = new byte[header.Length + data.Length];
        header.CopyTo(bytes, 0);
        data.CopyTo(bytes.AsSpan(header.Length));
        bool gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        AtomicFile.Write(path, file =>
        {
            if (!gzip) { file.Write(bytes); return; }
            using var zipped = new GZipStream(file, CompressionLevel.Fastest, leaveOpen: true);
            zipped.Write(bytes);
        });
    }

    /// <summary>
    /// Writes images [N, 1, H, W] or [N, H, W] with values in [0, 1] (clamped, rounded) as an
    /// unsigned-byte IDX image file [N, H, W].
    /// </summary>
    public static void WriteImages(string path, Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var shape = images.shape;
        bool ok = shape.Length == 3 || (shape.Length == 4 && shape[1] == 1);
        if (!ok) throw new ArgumentException($"Images must be shaped [N, 1, H, W] or [N, H, W], not [{string.Join(", ", shape)}].", nameof(images));
        using var scope = torch.NewDisposeScope();
        var bytes = TensorData.ToBytes(images.clamp(0, 1).mul(255).add(0.5).to(ScalarType.Byte));
        WriteUnsignedBytes(path, bytes, [checked((int)shape[0]), checked((int)shape[^2]), checked((int)shape[^1])]);
    }

    /// <summary>Writes labels [N] with values 0 … 255 as an unsigned-byte IDX label file.</summary>
    public static void WriteLabels(string path, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.dim() != 1) throw new ArgumentException($"Labels must be 1-D, not shaped {labels.ShapeString()}.", nameof(labels));
        using var scope = torch.NewDisposeScope();
        if (labels.min().ItemAsDouble() < 0 || labels.max().ItemAsDouble() > 255)
            throw new ArgumentException("IDX unsigned-byte labels must lie in 0 … 255.", nameof(labels));
        WriteUnsignedBytes(path, TensorData.ToBytes(labels.to(ScalarType.Byte)), [checked((int)labels.size(0))]);
    }
}
