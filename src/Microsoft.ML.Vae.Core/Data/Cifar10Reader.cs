using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Data;

/// <summary>
/// Reads the CIFAR-10 binary version (<c>data_batch_1.bin</c> … <c>data_batch_5.bin</c>,
/// <c>test_batch.bin</c>): records of one label byte (0 … 9) followed by 3072 pixel bytes
/// (1024 red, 1024 green, 1024 blue, each 32×32 row-major). Images load as float32
/// [N, 3, 32, 32] in [0, 1], labels as int64 [N].
/// </summary>
public static class Cifar10Reader
{
    /// <summary>Image side in pixels.</summary>
    public const int ImageSize = 32;

    /// <summary>Bytes per record: one label byte and 3 × 32 × 32 pixel bytes.</summary>
    public const int RecordSize = 1 + 3 * ImageSize * ImageSize;

    /// <summary>Number of classes.</summary>
    public const int ClassCount = 10;

    /// <summary>The file names of the training split.</summary>
    public static IReadOnlyList<string> TrainFiles { get; } =
        ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];

    /// <summary>The file name of the test split.</summary>
    public const string TestFile = "test_batch.bin";

    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>Reads one batch file.</summary>
    /// <param name="path">A CIFAR-10 binary batch file.</param>
    /// <param name="limit">Keep only the first <paramref name="limit"/> records (all when null).</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The size is not a whole number of records, or a label is not 0 … 9.</exception>
    public static TensorDataset ReadBatch(string path, long? limit = null) => ReadFiles([path], limit);

    /// <summary>
    /// Loads the training split (the five data batches, 50 000 images) from
    /// <paramref name="directory"/>, or from its <c>cifar-10-batches-bin</c> subdirectory.
    /// </summary>
    public static TensorDataset LoadTrain(string directory, long? limit = null) =>
        ReadFiles(TrainFiles.Select(f => Locate(directory, f)).ToArray(), limit);

    /// <summary>Loads the test split (10 000 images) like <see cref="LoadTrain"/>.</summary>
    public static TensorDataset LoadTest(string directory, long? limit = null) =>
        ReadFiles([Locate(directory, TestFile)], limit);

    private static TensorDataset ReadFiles(IReadOnlyList<string> paths, long? limit)
    {
        if (limit is <= 0) throw new ArgumentOutOfRangeException(nameof(limit), limit, "The sample limit must be positive.");
        // Read every file into one contiguous buffer so the tensor is built with a single copy.
        var lengths = new long[paths.Count];
        long total = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            var path = paths[i];
            ArgumentException.ThrowIfNullOrEmpty(path);
            if (!File.Exists(path)) throw new FileNotFoundException($"CIFAR-10 file '{path}' does not exist.", path);
            Persistence.RegularFile.Ensure(path, "CIFAR-10 file"); // a FIFO would block the read forever
            long length = new FileInfo(path).Length;
            if (length == 0 || length % RecordSize != 0)
                throw new InvalidDataException(
                    $"CIFAR-10 file '{path}' has {length} bytes, which is not a positive multiple of the {RecordSize}-byte record size.");
            lengths[i] = length;
            total += length;
        }
        long records = total / RecordSize;
        if (limit is not null) records = Math.Min(records, limit.Value);
        long wanted = records * RecordSize;
        if (wanted > Array.MaxLength)
            throw new InvalidDataException($"{records} CIFAR-10 records do not fit in one array; read fewer with a limit.");

        var buffer = GC.AllocateUninitializedArray<byte>((int)wanted);
        int offset = 0;
        for (int i = 0; i < paths.Count && offset < buffer.Length; i++)
        {
            int take = (int)Math.Min(lengths[i], buffer.Length - offset);
            using var file = File.OpenRead(paths[i]);
            int got = file.ReadAtLeast(buffer.AsSpan(offset, take), take, throwOnEndOfStream: false);
            if (got < take) throw new InvalidDataException($"CIFAR-10 file '{paths[i]}' shrank while it was being read.");
            offset += take;
        }

        using var scope = torch.NewDisposeScope();
        var raw = TensorData.FromBytes(buffer, [records, RecordSize], ScalarType.Byte);
        var labels = raw.select(1, 0).to(ScalarType.Int64);
        long maxLabel = labels.max().item<long>();
        if (maxLabel >= ClassCount)
        {
            long first = labels.ge(ClassCount).nonzero().min().item<long>();
            throw new InvalidDataException($"CIFAR-10 record {first} has label {labels.select(0, first).item<long>()}; labels must be 0 … 9. Is this the binary version of CIFAR-10?");
        }
        var images = raw.narrow(1, 1, RecordSize - 1).reshape(records, 3, ImageSize, ImageSize);
        images = IdxReader.ToUnitFloat(images);
        return new TensorDataset(images, labels);
    }

    private static string Locate(string directory, string fileName)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        foreach (var dir in new[] { directory, Path.Combine(directory, "cifar-10-batches-bin") })
        {
            var path = Path.Combine(dir, fileName);
            if (File.Exists(path)) return path;
        }
        throw new FileNotFoundException(
            $"CIFAR-10 file '{fileName}' was not found in '{directory}' or its cifar-10-batches-bin subdirectory " +
            "(expected the binary version: data_batch_1.bin … data_batch_5.bin and test_batch.bin).",
            Path.Combine(directory, fileName));
    }
}
