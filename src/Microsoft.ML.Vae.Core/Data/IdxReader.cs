using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Data;

/// <summary>
/// Reads IDX files (the MNIST / Fashion-MNIST format), raw or gzip-compressed (detected from the
/// content, not the name). Only unsigned-byte payloads (type 0x08) are supported, which covers
/// the image and label files of those data sets.
/// </summary>
/// <remarks>
/// Layout: two zero bytes, the data type, the number of dimensions d, then d big-endian int32
/// sizes, then the row-major payload. The payload is read in one call into a byte array and
/// turned into a tensor with one copy; scaling happens in libtorch.
/// </remarks>
public static class IdxReader
{
    /// <summary>IDX type code of unsigned bytes.</summary>
    public const byte UnsignedByteType = 0x08;

    /// <summary>
    /// Default limit on the payload read from one file: 1 GiB (4 GiB once images become float32). The header's
    /// declared sizes are checked against it before anything is allocated, and a gzip file is inflated into a
    /// buffer that grows only as data arrives, so neither a lying header nor a decompression bomb costs more.
    /// Pass a larger <c>maxDataBytes</c> for bigger trusted files (Fashion-MNIST's training images are 47 MB).
    /// </summary>
    public const long DefaultMaxDataBytes = 1L << 30;

    /// <summary>
    /// Reads an image file [N, H, W] into float32 [N, 1, H, W] scaled to [0, 1].
    /// </summary>
    /// <param name="path">The IDX file (raw or .gz).</param>
    /// <param name="limit">Read only the first <paramref name="limit"/> images (all when null).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <param name="maxDataBytes">Largest payload read (default <see cref="DefaultMaxDataBytes"/>).</param>
    /// <exception cref="InvalidDataException">The file is not a valid 3-D unsigned-byte IDX file, or it declares more than <paramref name="maxDataBytes"/>.</exception>
    public static Tensor ReadImages(string path, long? limit = null, long maxDataBytes = DefaultMaxDataBytes)
    {
        var (dims, data) = ReadUnsignedBytes(path, expectedDimensions: 3, limit, "image files", maxDataBytes);
        using var bytes = TensorData.FromBytes(data, [dims[0], 1, dims[1], dims[2]], ScalarType.Byte);
        return ToUnitFloat(bytes);
    }

    /// <summary>Reads a label file [N] into int64 [N].</summary>
    /// <param name="path">The IDX file (raw or .gz).</param>
    /// <param name="limit">Read only the first <paramref name="limit"/> labels (all when null).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <param name="maxDataBytes">Largest payload read (default <see cref="DefaultMaxDataBytes"/>).</param>
    /// <exception cref="InvalidDataException">The file is not a valid 1-D unsigned-byte IDX file, or it declares more than <paramref name="maxDataBytes"/>.</exception>
    public static Tensor ReadLabels(string path, long? limit = null, long maxDataBytes = DefaultMaxDataBytes)
    {
        var (dims, data) = ReadUnsignedBytes(path, expectedDimensions: 1, limit, "label files", maxDataBytes);
        using var bytes = TensorData.FromBytes(data, [dims[0]], ScalarType.Byte);
        return bytes.to(ScalarType.Int64);
    }

    /// <summary>
    /// Loads images and, when given, their labels into a data set of [N, 1, H, W] images in [0, 1].
    /// </summary>
    /// <exception cref="InvalidDataException">A file is invalid, or the two files disagree on N.</exception>
    public static TensorDataset Load(string imagesPath, string? labelsPath = null, long? limit = null, long maxDataBytes = DefaultMaxDataBytes)
    {
        using var scope = torch.NewDisposeScope();
        var images = ReadImages(imagesPath, limit, maxDataBytes);
        Tensor? labels = null;
        if (labelsPath is not null)
        {
            labels = ReadLabels(labelsPath, limit, maxDataBytes);
            if (labels.size(0) != images.size(0))
                throw new InvalidDataException(
                    $"Image file '{imagesPath}' holds {images.size(0)} images but label file '{labelsPath}' holds {labels.size(0)} labels.");
        }
        return new TensorDataset(images, labels);
    }

    /// <summary>uint8 → float32 in [0, 1] in one pass (dividing an integer tensor by a float yields float32).</summary>
    internal static Tensor ToUnitFloat(Tensor bytes)
    {
        var scaled = bytes.div(255.0);
        if (scaled.dtype == ScalarType.Float32) return scaled;
        using (scaled) return scaled.to(ScalarType.Float32);
    }

    /// <summary>
    /// Reads the header and the unsigned-byte payload of an IDX file with
    /// <paramref name="expectedDimensions"/> dimensions, keeping the first <paramref name="limit"/>
    /// entries of the leading dimension. Returns the (possibly limited) sizes and the payload.
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid IDX file of that kind.</exception>
    public static (int[] Dimensions, byte[] Data) ReadUnsignedBytes(string path, int expectedDimensions, long? limit = null, long maxDataBytes = DefaultMaxDataBytes)
        => ReadUnsignedBytes(path, expectedDimensions, limit, $"{expectedDimensions}-D files", maxDataBytes);

    private static (int[] Dimensions, byte[] Data) ReadUnsignedBytes(string path, int expectedDimensions, long? limit, string kind, long maxDataBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (limit is <= 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "The sample limit must be positive.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDataBytes);
        if (!File.Exists(path) && !Directory.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        // A FIFO would block the open forever and a device never ends.
        Persistence.RegularFile.Ensure(path, "IDX file");

        using var file = File.OpenRead(path);
        bool gzip = IsGzip(file);
        using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return ReadPayload(stream, path, expectedDimensions, limit, kind, maxDataBytes, gzip ? null : file.Length);
        }
        catch (InvalidDataException e) when (gzip && !e.Message.Contains(path, StringComparison.Ordinal))
        {
            // The decompressor's own messages do not say which file was broken.
            throw new InvalidDataException($"IDX file '{path}' is not a valid gzip stream: {e.Message}", e);
        }
    }

    private static (int[] Dimensions, byte[] Data) ReadPayload(Stream stream, string path, int expectedDimensions, long? limit, string kind, long maxDataBytes, long? rawFileLength)
    {
        Span<byte> magic = stackalloc byte[4];
        int got = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        if (got < magic.Length)
            throw new InvalidDataException($"IDX file '{path}' is too short to hold an IDX header ({got} bytes).");
        if (magic[0] != 0 || magic[1] != 0)
            throw new InvalidDataException(
                $"'{path}' is not an IDX file: it must start with two zero bytes but starts with 0x{magic[0]:X2} 0x{magic[1]:X2}.");
        if (magic[2] != UnsignedByteType)
            throw new InvalidDataException(
                $"IDX file '{path}' holds data type 0x{magic[2]:X2}; only unsigned bytes (0x08) are supported.");
        int rank = magic[3];
        if (rank != expectedDimensions)
            throw new InvalidDataException($"IDX file '{path}' has {rank} dimensions but {kind} need {expectedDimensions}.");

        Span<byte> sizes = stackalloc byte[4 * rank];
        got = stream.ReadAtLeast(sizes, sizes.Length, throwOnEndOfStream: false);
        if (got < sizes.Length)
            throw new InvalidDataException($"IDX file '{path}' is truncated inside its header (the {rank} dimension sizes).");
        var dims = new int[rank];
        long total = 1;
        for (int i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(sizes[(4 * i)..]);
            if (dims[i] <= 0)
                throw new InvalidDataException($"IDX file '{path}' declares size {dims[i]} for dimension {i}; sizes must be positive.");
            total = checked(total * dims[i]);
        }
        long entrySize = total / dims[0];
        long keep = limit is null ? dims[0] : Math.Min(dims[0], limit.Value);
        long length = keep * entrySize;
        if (length > maxDataBytes)
            throw new InvalidDataException(
                $"IDX file '{path}' declares [{string.Join(", ", dims)}] = {length:N0} bytes of data to read, more than the limit of {maxDataBytes:N0}; " +
                "read fewer samples with a limit, or raise maxDataBytes for a trusted file.");
        if (length > Array.MaxLength)
            throw new InvalidDataException($"IDX file '{path}' declares {length} bytes of data, more than one array can hold; read fewer samples with a limit.");
        long headerLength = 4 + 4L * rank;
        if (rawFileLength is long fileLength && fileLength - headerLength < length)
            throw new InvalidDataException(
                $"IDX file '{path}' is truncated: its header declares [{string.Join(", ", dims)}] = {total} bytes of data but the file holds only {fileLength - headerLength}.");

        var data = ReadUpTo(stream, (int)length, out got);
        if (got < data.Length)
            throw new InvalidDataException(
                $"IDX file '{path}' is truncated: its header declares [{string.Join(", ", dims)}] = {total} bytes of data but only {got} could be read.");
        // A complete read must end exactly where the header says; extra bytes mean a wrong header.
        if (keep == dims[0] && stream.ReadByte() >= 0)
            throw new InvalidDataException(
                $"IDX file '{path}' has bytes after the {total} bytes of data its header [{string.Join(", ", dims)}] declares.");
        dims[0] = (int)keep;
        return (dims, data);
    }

    /// <summary>
    /// Reads <paramref name="length"/> bytes, growing the buffer as data actually arrives (doubling from 16 MB), so a
    /// header that promises more than a compressed stream delivers never reserves the promised size.
    /// </summary>
    private static byte[] ReadUpTo(Stream stream, int length, out int got)
    {
        const int FirstChunk = 16 << 20;
        var data = GC.AllocateUninitializedArray<byte>(Math.Min(length, FirstChunk));
        got = 0;
        while (got < length)
        {
            if (got == data.Length)
            {
                var bigger = GC.AllocateUninitializedArray<byte>((int)Math.Min(length, 2L * data.Length));
                data.AsSpan(0, got).CopyTo(bigger);
                data = bigger;
            }
            int n = stream.Read(data, got, data.Length - got);
            if (n == 0) break;
            got += n;
        }
        // Complete: data.Length == got == length. Truncated: got < data.Length (a read found room but no data); the caller reports it.
        return data;
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        int n = file.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        file.Position = 0;
        return n == 2 && head[0] == 0x1F && head[1] == 0x8B;
    }
}
