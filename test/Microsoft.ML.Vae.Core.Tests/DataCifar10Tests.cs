using Microsoft.ML.Vae.Core.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class DataCifar10Tests
{
    /// <summary>A record whose label is <paramref name="label"/> and whose channel c holds the value 10·(record+1)+c everywhere.</summary>
    private static byte[] Records(params byte[] labels)
    {
        var bytes = new byte[labels.Length * Cifar10Reader.RecordSize];
        for (int r = 0; r < labels.Length; r++)
        {
            var record = bytes.AsSpan(r * Cifar10Reader.RecordSize, Cifar10Reader.RecordSize);
            record[0] = labels[r];
            for (int c = 0; c < 3; c++) record.Slice(1 + c * 1024, 1024).Fill((byte)(10 * (r + 1) + c));
        }
        return bytes;
    }

    [TestMethod]
    public void BatchFileDecodesLabelsAndPlanarChannels()
    {
        using var files = new DataTestFiles();
        var path = files.PathOf("data_batch_1.bin");
        var bytes = Records(3, 9, 0);
        bytes[1 + 1024 + 32 * 5 + 7] = 255; // record 0, green, row 5, column 7
        File.WriteAllBytes(path, bytes);
        long baseline = LiveTensors.Count;
        using (var data = Cifar10Reader.ReadBatch(path))
        {
            CollectionAssert.AreEqual(new long[] { 3, 3, 32, 32 }, data.Features.shape);
            CollectionAssert.AreEqual(new long[] { 3, 9, 0 }, data.Labels!.data<long>().ToArray());
            var x = data.Features.data<float>().ToArray();
            Assert.AreEqual(1f, x[1 * 1024 + 5 * 32 + 7]);
            Assert.AreEqual(11 / 255f, x[1 * 1024 + 0], 1e-7f);
            Assert.AreEqual(10 / 255f, x[0], 1e-7f);
            Assert.AreEqual(32 / 255f, x[3 * 3072 - 1], 1e-7f);
        }
        Assert.AreEqual(baseline, LiveTensors.Count);
    }

    [TestMethod]
    public void SplitsAreFoundInTheBatchesSubfolder()
    {
        using var files = new DataTestFiles();
        var dir = files.PathOf("cifar-10-batches-bin");
        Directory.CreateDirectory(dir);
        for (int i = 1; i <= 5; i++) File.WriteAllBytes(Path.Combine(dir, $"data_batch_{i}.bin"), Records((byte)i, (byte)(i - 1)));
        File.WriteAllBytes(Path.Combine(dir, "test_batch.bin"), Records(7));
        using var train = Cifar10Reader.LoadTrain(files.Root);
        using var test = Cifar10Reader.LoadTest(files.Root);
        using var limited = Cifar10Reader.LoadTrain(files.Root, limit: 3);
        CollectionAssert.AreEqual(new long[] { 1, 0, 2, 1, 3, 2, 4, 3, 5, 4 }, train.Labels!.data<long>().ToArray());
        Assert.AreEqual(1, test.Count);
        CollectionAssert.AreEqual(new long[] { 1, 0, 2 }, limited.Labels!.data<long>().ToArray());
    }

    [TestMethod]
    public void BadFilesAreRejectedClearly()
    {
        using var files = new DataTestFiles();
        var odd = files.PathOf("odd.bin");
        File.WriteAllBytes(odd, new byte[Cifar10Reader.RecordSize + 5]);
        var e = Assert.ThrowsExactly<InvalidDataException>(() => Cifar10Reader.ReadBatch(odd));
        StringAssert.Contains(e.Message, "3073");

        var badLabel = files.PathOf("label.bin");
        File.WriteAllBytes(badLabel, Records(1, 12));
        e = Assert.ThrowsExactly<InvalidDataException>(() => Cifar10Reader.ReadBatch(badLabel));
        StringAssert.Contains(e.Message, "record 1 has label 12");

        var missing = Assert.ThrowsExactly<FileNotFoundException>(() => Cifar10Reader.LoadTest(files.Root));
        StringAssert.Contains(missing.Message, "test_batch.bin");
    }
}
