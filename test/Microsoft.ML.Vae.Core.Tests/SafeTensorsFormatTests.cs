using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Vae.Core.Persistence.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class SafeTensorsFormatTests
{
    private static readonly ScalarType[] AllDTypes =
    [
        ScalarType.Byte, ScalarType.Int8, ScalarType.Int16, ScalarType.Int32, ScalarType.Int64,
        ScalarType.Float16, ScalarType.Float32, ScalarType.Float64, ScalarType.Bool, ScalarType.BFloat16,
    ];

    // ------------------------------------------------------------------ helpers

    private static byte[] Le<T>(params T[] values) where T : unmanaged
    {
        Assert.IsTrue(BitConverter.IsLittleEndian, "These tests build little-endian data from host values.");
        return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
    }

    private static byte[] PatternBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Builds a file by hand: prefix declaring <paramref name="declaredLength"/> (default: the header's length), header, data.</summary>
    private static byte[] RawFile(string header, byte[]? data = null, ulong? declaredLength = null)
    {
        byte[] headerBytes = Encoding.UTF8.GetBytes(header);
        return RawFile(headerBytes, data, declaredLength);
    }

    private static byte[] RawFile(byte[] header, byte[]? data = null, ulong? declaredLength = null)
    {
        data ??= [];
        var file = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredLength ?? (ulong)header.Length);
        header.CopyTo(file, 8);
        data.CopyTo(file, 8 + header.Length);
        return file;
    }

    private static string HeaderOf(byte[] file)
    {
        int length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        return Encoding.UTF8.GetString(file, 8, length);
    }

    private static void AssertSameEntry(SafeTensorEntry expected, SafeTensorEntry actual)
    {
        Assert.AreEqual(expected.Name, actual.Name);
        Assert.AreEqual(expected.DType, actual.DType, expected.Name);
        CollectionAssert.AreEqual(expected.Shape, actual.Shape, expected.Name);
        CollectionAssert.AreEqual(expected.Data.ToArray(), actual.Data.ToArray(), expected.Name);
    }

    private static SafeTensorEntry Entry(string name, ScalarType dtype, long[] shape, int seed = 1)
    {
        long count = 1;
        foreach (long d in shape)
        {
            count *= d;
        }
        return new SafeTensorEntry(name, dtype, shape, PatternBytes(checked((int)count * dtype.ElementSize()), seed));
    }

    // ------------------------------------------------------------------ round trips

    [TestMethod]
    [DataRow(ScalarType.Byte)]
    [DataRow(ScalarType.Int8)]
    [DataRow(ScalarType.Int16)]
    [DataRow(ScalarType.Int32)]
    [DataRow(ScalarType.Int64)]
    [DataRow(ScalarType.Float16)]
    [DataRow(ScalarType.Float32)]
    [DataRow(ScalarType.Float64)]
    [DataRow(ScalarType.Bool)]
    [DataRow(ScalarType.BFloat16)]
    public void RoundTrip_EachDType(ScalarType dtype)
    {
        byte[] data = dtype == ScalarType.Bool
            ? [1, 0, 0, 1, 1, 0]
            : PatternBytes(6 * dtype.ElementSize(), (int)dtype);
        var entry = new SafeTensorEntry("weight", dtype, [2, 3], data);

        byte[] file = SafeTensorsFormat.Serialize([entry]);
        SafeTensorsFile read = SafeTensorsFormat.Read(file);

        Assert.HasCount(1, read.Entries);
        AssertSameEntry(entry, read["weight"]);
        Assert.IsEmpty(read.Metadata);
        StringAssert.Contains(HeaderOf(file), $"\"dtype\":\"{SafeTensorsFormat.GetDTypeName(dtype)}\"");
    }

    [TestMethod]
    public void RoundTrip_ScalarsAndZeroSizeTensors()
    {
        SafeTensorEntry[] entries =
        [
            new("scalar.f64", ScalarType.Float64, [], Le(3.25)),
            new("scalar.bool", ScalarType.Bool, [], new byte[] { 1 }),
            new("empty.f32", ScalarType.Float32, [0, 3], Array.Empty<byte>()),
            new("empty.i64", ScalarType.Int64, [4, 0, 2], Array.Empty<byte>()),
            new("empty.u8", ScalarType.Byte, [0], Array.Empty<byte>()),
            new("empty.huge", ScalarType.BFloat16, [long.MaxValue, 0, long.MaxValue], Array.Empty<byte>()),
            new("vector", ScalarType.Int32, [3], Le(1, -2, 3)),
        ];

        SafeTensorsFile read = SafeTensorsFormat.Read(SafeTensorsFormat.Serialize(entries));

        Assert.HasCount(entries.Length, read.Entries);
        foreach (SafeTensorEntry entry in entries)
        {
            AssertSameEntry(entry, read[entry.Name]);
        }
        Assert.AreEqual(1L, read["scalar.f64"].ElementCount);
        Assert.AreEqual(0L, read["empty.huge"].ElementCount);
        Assert.AreEqual(3.25, BitConverter.ToDouble(read["scalar.f64"].Data.Span));
    }

    [TestMethod]
    public void RoundTrip_NoTensors()
    {
        byte[] file = SafeTensorsFormat.Serialize([]);
        SafeTensorsFile read = SafeTensorsFormat.Read(file);
        Assert.IsEmpty(read.Entries);
        Assert.IsEmpty(read.Metadata);
    }

    [TestMethod]
    public void RoundTrip_Metadata()
    {
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["quote\"back\\slash"] = "line1\nline2\ttab\r\b\f",
            ["control"] = "\u0001\u001f\u007f",
            ["unicode"] = "é 漢字 🎉",
            ["empty"] = "",
            [""] = "empty key",
        };
        var entry = new SafeTensorEntry("w", ScalarType.Float32, [1], Le(1f));

        SafeTensorsFile read = SafeTensorsFormat.Read(SafeTensorsFormat.Serialize([entry], metadata));

        Assert.HasCount(metadata.Count, read.Metadata);
        foreach ((string key, string value) in metadata)
        {
            Assert.AreEqual(value, read.Metadata[key], key);
        }
        // Written keys come out in ordinal order.
        CollectionAssert.AreEqual(
            metadata.Keys.Order(StringComparer.Ordinal).ToArray(),
            read.Metadata.Keys.ToArray());
        AssertSameEntry(entry, read["w"]);
    }

    [TestMethod]
    public void Write_NullOrEmptyMetadata_IsOmitted()
    {
        var entry = new SafeTensorEntry("w", ScalarType.Byte, [1], new byte[] { 7 });
        byte[] withNull = SafeTensorsFormat.Serialize([entry], null);
        byte[] withEmpty = SafeTensorsFormat.Serialize([entry], new Dictionary<string, string>());
        CollectionAssert.AreEqual(withNull, withEmpty);
        Assert.DoesNotContain("__metadata__", HeaderOf(withNull));
    }

    [TestMethod]
    public void RoundTrip_NamesNeedingEscapes()
    {
        string[] names = ["a\"b", "back\\slash", "new\nline", "ctl\u0001", "é", "漢字", "🎉", "with space", "__metadata", "x.y.z"];
        SafeTensorEntry[] entries = names.Select((n, i) => Entry(n, ScalarType.Float32, [1], i)).ToArray();

        byte[] file = SafeTensorsFormat.Serialize(entries);
        SafeTensorsFile read = SafeTensorsFormat.Read(file);

        foreach (SafeTensorEntry entry in entries)
        {
            AssertSameEntry(entry, read[entry.Name]);
        }
        string header = HeaderOf(file);
        StringAssert.Contains(header, "\"a\\\"b\"");
        StringAssert.Contains(header, "\"ctl\\u0001\"");
        StringAssert.Contains(header, "\"漢字\"", "non-ASCII text is written as raw UTF-8, not escaped");
    }

    // ------------------------------------------------------------------ layout and determinism

    [TestMethod]
    public void Write_OrdersByDecreasingAlignmentThenName_AndAlignsData()
    {
        // Shuffled input; one tensor of each dtype plus a second F32 to check the name tie-break.
        var entries = new List<SafeTensorEntry>();
        foreach (ScalarType dtype in AllDTypes)
        {
            entries.Add(Entry("t_" + SafeTensorsFormat.GetDTypeName(dtype), dtype, [3], (int)dtype));
        }
        entries.Add(Entry("a_F32", ScalarType.Float32, [5], 99));
        entries.Reverse();

        byte[] file = SafeTensorsFormat.Serialize(entries);
        SafeTensorsFile read = SafeTensorsFormat.Read(file);

        string[] expectedOrder =
            ["t_I64", "t_F64", "a_F32", "t_F32", "t_I32", "t_BF16", "t_F16", "t_I16", "t_I8", "t_U8", "t_BOOL"];
        CollectionAssert.AreEqual(expectedOrder, read.Entries.Keys.ToArray());

        int headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        Assert.AreEqual(0, headerLength % 8, "header is padded to a multiple of 8");
        using JsonDocument doc = JsonDocument.Parse(file.AsMemory(8, headerLength));
        long previousEnd = 0;
        foreach (JsonProperty property in doc.RootElement.EnumerateObject())
        {
            long begin = property.Value.GetProperty("data_offsets")[0].GetInt64();
            long end = property.Value.GetProperty("data_offsets")[1].GetInt64();
            Assert.AreEqual(previousEnd, begin, "tensors are contiguous in header order");
            ScalarType dtype = read[property.Name].DType;
            Assert.AreEqual(0, (8 + headerLength + begin) % dtype.ElementSize(), $"{property.Name} is aligned in the file");
            previousEnd = end;
        }
        Assert.AreEqual(file.Length - 8 - headerLength, previousEnd);
    }

    [TestMethod]
    public void Write_IsDeterministic_RegardlessOfInputOrder()
    {
        SafeTensorEntry[] entries =
        [
            Entry("layer.1.weight", ScalarType.Float32, [4, 3], 1),
            Entry("layer.0.weight", ScalarType.Float32, [4, 3], 2),
            Entry("layer.0.bias", ScalarType.Float64, [4], 3),
            Entry("step", ScalarType.Int64, [], 4),
            Entry("mask", ScalarType.Bool, [2, 2], 5),
        ];
        var metadataA = new Dictionary<string, string> { ["z"] = "1", ["a"] = "2", ["m"] = "3" };
        var metadataB = new Dictionary<string, string> { ["m"] = "3", ["z"] = "1", ["a"] = "2" };

        byte[] first = SafeTensorsFormat.Serialize(entries, metadataA);
        byte[] second = SafeTensorsFormat.Serialize(entries.Reverse().ToArray(), metadataB);
        using var stream = new MemoryStream();
        SafeTensorsFormat.Write(stream, entries, metadataA);

        CollectionAssert.AreEqual(first, second);
        CollectionAssert.AreEqual(first, stream.ToArray());
        // Re-serializing what was read reproduces the same bytes.
        SafeTensorsFile read = SafeTensorsFormat.Read(first);
        CollectionAssert.AreEqual(first, SafeTensorsFormat.Serialize(read.Entries.Values, read.Metadata));
    }

    // ------------------------------------------------------------------ golden bytes

    [TestMethod]
    public void Golden_TwoTensorsWithMetadata()
    {
        var entries = new[]
        {
            new SafeTensorEntry("b", ScalarType.Float32, [2], Le(1.0f, -2.0f)),
            new SafeTensorEntry("a", ScalarType.Int64, [], Le(5L)),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt" };

        const string header =
            "{\"__metadata__\":{\"format\":\"pt\"}," +
            "\"a\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]}," +
            "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}" +
            "      "; // 138 bytes of JSON + 6 spaces = 144
        byte[] expected =
        [
            0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // header length 144
            .. Encoding.ASCII.GetBytes(header),
            0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // a: int64 5
            0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, // b: float 1.0, -2.0
        ];
        Assert.AreEqual(144, header.Length);

        CollectionAssert.AreEqual(expected, SafeTensorsFormat.Serialize(entries, metadata));

        SafeTensorsFile read = SafeTensorsFormat.Read(expected);
        Assert.AreEqual(5L, BitConverter.ToInt64(read["a"].Data.Span));
        CollectionAssert.AreEqual(new[] { 1.0f, -2.0f }, MemoryMarshal.Cast<byte, float>(read["b"].Data.Span).ToArray());
        Assert.AreEqual("pt", read.Metadata["format"]);
    }

    [TestMethod]
    public void Golden_MatchesReferenceImplementationLayouts()
    {
        // Layouts the reference (Rust/Python) implementation produces for the same inputs.
        byte[] sixFloats = Le(0f, 1f, 2f, 3f, 4f, 5f);

        byte[] empty = SafeTensorsFormat.Serialize([]);
        CollectionAssert.AreEqual(RawFile("{}      "), empty);

        byte[] metadataOnly = SafeTensorsFormat.Serialize([], new Dictionary<string, string> { ["framework"] = "pt" });
        CollectionAssert.AreEqual(RawFile("{\"__metadata__\":{\"framework\":\"pt\"}}     "), metadataOnly);

        byte[] noPadding = SafeTensorsFormat.Serialize([new SafeTensorEntry("attn.0", ScalarType.Float32, [1, 2, 3], sixFloats)]);
        CollectionAssert.AreEqual(
            RawFile("{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}", sixFloats),
            noPadding);
        Assert.AreEqual(64, noPadding[0]);

        byte[] padded = SafeTensorsFormat.Serialize([new SafeTensorEntry("attn0", ScalarType.Float32, [1, 1, 2, 3], sixFloats)]);
        CollectionAssert.AreEqual(
            RawFile("{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ", sixFloats),
            padded);
        Assert.AreEqual(72, padded[0]);
    }

    // ------------------------------------------------------------------ lenient-but-valid input from other writers

    [TestMethod]
    public void Read_AcceptsValidVariations()
    {
        // Pretty-printed JSON, fields in another order, tensors listed out of offset order,
        // escaped names, null metadata, trailing whitespace of every JSON kind.
        const string header = "{\n  \"__metadata__\": null,\n" +
                              "  \"z\": {\"data_offsets\": [0, 4], \"shape\": [2], \"dtype\": \"I16\"},\n" +
                              "  \"\\u0061\\n\": {\"shape\": [], \"dtype\": \"F32\", \"data_offsets\": [8, 12]},\n" +
                              "  \"e\": {\"dtype\": \"U8\", \"shape\": [0], \"data_offsets\": [4, 4]},\n" +
                              "  \"m\": {\"dtype\": \"U8\", \"shape\": [4], \"data_offsets\": [4, 8]}\n}\t\r\n ";
        byte[] data = [1, 0, 2, 0, 9, 8, 7, 6, .. Le(0.5f)];

        SafeTensorsFile read = SafeTensorsFormat.Read(RawFile(header, data));

        CollectionAssert.AreEqual(new[] { "z", "a\n", "e", "m" }, read.Entries.Keys.ToArray());
        CollectionAssert.AreEqual(new short[] { 1, 2 }, MemoryMarshal.Cast<byte, short>(read["z"].Data.Span).ToArray());
        Assert.AreEqual(0.5f, BitConverter.ToSingle(read["a\n"].Data.Span));
        Assert.AreEqual(0, read["e"].Data.Length);
        CollectionAssert.AreEqual(new byte[] { 9, 8, 7, 6 }, read["m"].Data.ToArray());
        Assert.IsEmpty(read.Metadata);
    }

    [TestMethod]
    public void Read_ArrayAliasesInput_SpanCopies()
    {
        byte[] file = SafeTensorsFormat.Serialize([new SafeTensorEntry("w", ScalarType.Byte, [2], new byte[] { 1, 2 })]);

        SafeTensorsFile aliased = SafeTensorsFormat.Read(file);
        SafeTensorsFile copied = SafeTensorsFormat.Read((ReadOnlySpan<byte>)file);
        file[^1] = 42;

        Assert.AreEqual((byte)42, aliased["w"].Data.Span[1]);
        Assert.AreEqual((byte)2, copied["w"].Data.Span[1]);
    }

    [TestMethod]
    public void Indexer_UnknownName_Throws()
    {
        SafeTensorsFile read = SafeTensorsFormat.Read(SafeTensorsFormat.Serialize([]));
        KeyNotFoundException ex = Assert.ThrowsExactly<KeyNotFoundException>(() => read["missing"]);
        StringAssert.Contains(ex.Message, "missing");
    }

    [TestMethod]
    public void Entry_ToString_ShowsShapeAndSize()
    {
        var entry = new SafeTensorEntry("w", ScalarType.Float32, [2, 3], new byte[24]);
        Assert.AreEqual("SafeTensorEntry { Name = w, DType = Float32, Shape = [2, 3], Data = 24 bytes }", entry.ToString());
    }

    // ------------------------------------------------------------------ streams and files

    private sealed class NonSeekableStream(Stream inner, int chunk = 7) : Stream
    {
        public int BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, Math.Min(count, chunk));
            BytesRead += n;
            return n;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>An endless stream: a fixed prefix, then zeros forever.</summary>
    private sealed class EndlessStream(byte[] prefix) : Stream
    {
        private long _position;
        public long BytesRead => _position;
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            for (int i = 0; i < count; i++)
            {
                buffer[offset + i] = _position + i < prefix.Length ? prefix[_position + i] : (byte)0;
            }
            _position += count;
            return count;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static SafeTensorEntry[] SampleEntries() =>
    [
        Entry("encoder.weight", ScalarType.Float32, [8, 4], 1),
        Entry("encoder.bias", ScalarType.Float32, [8], 2),
        Entry("steps", ScalarType.Int64, [], 3),
    ];

    [TestMethod]
    public void Read_Stream_SeekableFromCurrentPosition()
    {
        SafeTensorEntry[] entries = SampleEntries();
        using var stream = new MemoryStream();
        stream.Write([0xAA, 0xBB, 0xCC]);
        SafeTensorsFormat.Write(stream, entries);
        stream.Position = 3;

        SafeTensorsFile read = SafeTensorsFormat.Read(stream);

        foreach (SafeTensorEntry entry in entries)
        {
            AssertSameEntry(entry, read[entry.Name]);
        }
    }

    [TestMethod]
    public void Read_Stream_NonSeekable()
    {
        SafeTensorEntry[] entries = SampleEntries();
        byte[] file = SafeTensorsFormat.Serialize(entries);

        SafeTensorsFile read = SafeTensorsFormat.Read(new NonSeekableStream(new MemoryStream(file)));

        foreach (SafeTensorEntry entry in entries)
        {
            AssertSameEntry(entry, read[entry.Name]);
        }
    }

    [TestMethod]
    public void Read_Stream_LongerThanLimit_IsRejected()
    {
        byte[] file = SafeTensorsFormat.Serialize(SampleEntries());

        InvalidDataException seekable = Assert.ThrowsExactly<InvalidDataException>(
            () => SafeTensorsFormat.Read(new MemoryStream(file), maxLength: file.Length - 1));
        StringAssert.Contains(seekable.Message, $"more than the limit of {file.Length - 1} bytes");

        InvalidDataException streamed = Assert.ThrowsExactly<InvalidDataException>(
            () => SafeTensorsFormat.Read(new NonSeekableStream(new MemoryStream(file)), maxLength: file.Length - 1));
        StringAssert.Contains(streamed.Message, $"more than the limit of {file.Length - 1} bytes");

        // Exactly at the limit is fine.
        Assert.HasCount(3, SafeTensorsFormat.Read(new NonSeekableStream(new MemoryStream(file)), maxLength: file.Length).Entries);
    }

    [TestMethod]
    public void Read_Stream_EndlessInput_StopsAtTheBound()
    {
        var endless = new EndlessStream(RawFile("{}      "));
        InvalidDataException ex = Assert.ThrowsExactly<InvalidDataException>(
            () => SafeTensorsFormat.Read(endless, maxLength: 1 << 20));
        StringAssert.Contains(ex.Message, "more than the limit of 1048576 bytes");
        Assert.IsLessThanOrEqualTo((1 << 20) + (1 << 17), endless.BytesRead);

        byte[] hugeHeader = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(hugeHeader, ulong.MaxValue);
        var endless2 = new EndlessStream(hugeHeader);
        ex = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensorsFormat.Read(endless2));
        StringAssert.Contains(ex.Message, "exceeds the limit of 100000000 bytes");
        Assert.IsLessThanOrEqualTo(1L << 16, endless2.BytesRead, "an oversized header length fails before reading on");
    }

    [TestMethod]
    public void WriteFile_ReadFile_RoundTrip()
    {
        string path = Path.Combine(Path.GetTempPath(), $"safetensors-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensorEntry[] entries = SampleEntries();
            var metadata = new Dictionary<string, string> { ["epoch"] = "3" };
            SafeTensorsFormat.WriteFile(path, entries, metadata);

            CollectionAssert.AreEqual(SafeTensorsFormat.Serialize(entries, metadata), File.ReadAllBytes(path));
            SafeTensorsFile read = SafeTensorsFormat.ReadFile(path);
            foreach (SafeTensorEntry entry in entries)
            {
                AssertSameEntry(entry, read[entry.Name]);
            }
            Assert.AreEqual("3", read.Metadata["epoch"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void WriteFile_InvalidEntries_CreatesNoFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"safetensors-{Guid.NewGuid():N}.safetensors");
        Assert.ThrowsExactly<ArgumentException>(
            () => SafeTensorsFormat.WriteFile(path, [new SafeTensorEntry("w", ScalarType.Float32, [2], new byte[3])]));
        Assert.IsFalse(File.Exists(path));
    }

    // ------------------------------------------------------------------ writer argument validation

    [TestMethod]
    [DataRow("empty name", "empty name")]
    [DataRow("reserved name", "reserved for metadata")]
    [DataRow("duplicate name", "Duplicate tensor name 'w'")]
    [DataRow("short data", "data has 7 bytes but dtype F32 with shape [2] needs 8 bytes")]
    [DataRow("long data", "data has 9 bytes but dtype F32 with shape [2] needs 8 bytes")]
    [DataRow("negative dim", "shape[1] is negative (-1)")]
    [DataRow("null shape", "shape is null")]
    [DataRow("undefined dtype", "dtype 99 is not supported")]
    [DataRow("complex dtype", "dtype ComplexFloat32 is not supported")]
    [DataRow("lone surrogate", "not valid UTF-16")]
    [DataRow("overflow", "overflows")]
    [DataRow("null entry", "Entry 1 is null")]
    [DataRow("null metadata value", "Metadata value for key 'k' is null")]
    public void Write_InvalidArguments_AreRejected(string kind, string fragment)
    {
        SafeTensorEntry ok = new("ok", ScalarType.Byte, [1], new byte[1]);
        SafeTensorEntry[] entries = kind switch
        {
            "empty name" => [new("", ScalarType.Byte, [1], new byte[1])],
            "reserved name" => [new("__metadata__", ScalarType.Byte, [1], new byte[1])],
            "duplicate name" => [new("w", ScalarType.Byte, [1], new byte[1]), new("w", ScalarType.Int8, [1], new byte[1])],
            "short data" => [new("w", ScalarType.Float32, [2], new byte[7])],
            "long data" => [new("w", ScalarType.Float32, [2], new byte[9])],
            "negative dim" => [new("w", ScalarType.Float32, [2, -1], new byte[8])],
            "null shape" => [new("w", ScalarType.Float32, null!, new byte[4])],
            "undefined dtype" => [new("w", (ScalarType)99, [1], new byte[1])],
            "complex dtype" => [new("w", ScalarType.ComplexFloat32, [1], new byte[8])],
            "lone surrogate" => [new("w\uD800", ScalarType.Byte, [1], new byte[1])],
            "overflow" => [new("w", ScalarType.Float64, [1L << 31, 1L << 31, 1L << 2], new byte[8])],
            "null entry" => [ok, null!],
            _ => [ok],
        };
        Dictionary<string, string>? metadata = kind == "null metadata value" ? new() { ["k"] = null! } : null;

        ArgumentException ex = Assert.Throws<ArgumentException>(() => SafeTensorsFormat.Serialize(entries, metadata));
        StringAssert.Contains(ex.Message, fragment);
        Assert.Throws<ArgumentException>(() => SafeTensorsFormat.Write(Stream.Null, entries, metadata));
    }

    // ------------------------------------------------------------------ hostile input

    private static string Tensor(string dtype = "F32", string shape = "[2]", string offsets = "[0,8]") =>
        $"{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":{offsets}}}";

    private static readonly byte[] EightBytes = [1, 2, 3, 4, 5, 6, 7, 8];

    private static readonly Dictionary<string, Func<byte[]>> HostileFiles = new()
    {
        ["empty file"] = () => [],
        ["seven bytes"] = () => [1, 0, 0, 0, 0, 0, 0],
        ["header length zero"] = () => RawFile("", EightBytes),
        ["header length over limit"] = () => RawFile("{}", null, declaredLength: 100_000_001),
        ["header length u64 max"] = () => RawFile("{}", null, declaredLength: ulong.MaxValue),
        ["header beyond file"] = () => RawFile("{}", EightBytes, declaredLength: 64),
        ["invalid utf8"] = () => RawFile([(byte)'{', (byte)'"', (byte)'a', 0xFF, (byte)'"', (byte)':', (byte)'1', (byte)'}']),
        ["overlong utf8"] = () => RawFile([(byte)'{', (byte)'"', 0xC0, 0xAF, (byte)'"', (byte)':', (byte)'1', (byte)'}']),
        ["header is array"] = () => RawFile("[]"),
        ["header is string"] = () => RawFile("\"x\""),
        ["header leading space"] = () => RawFile(" {}"),
        ["truncated json"] = () => RawFile("{\"a\":{\"dtype\":"),
        ["json trailing garbage"] = () => RawFile("{} x"),
        ["json comment"] = () => RawFile("{/* c */}"),
        ["json nul padding"] = () => RawFile("{}\0\0\0\0\0\0"),
        ["raw newline in name"] = () => RawFile("{\"a\nb\":" + Tensor() + "}", EightBytes),
        ["lone surrogate escape"] = () => RawFile("{\"\\ud800\":" + Tensor() + "}", EightBytes),
        ["entry not object"] = () => RawFile("{\"a\":[0,8]}", EightBytes),
        ["entry is null"] = () => RawFile("{\"a\":null}", EightBytes),
        ["unknown dtype"] = () => RawFile("{\"a\":" + Tensor(dtype: "U16", shape: "[4]") + "}", EightBytes),
        ["lowercase dtype"] = () => RawFile("{\"a\":" + Tensor(dtype: "f32") + "}", EightBytes),
        ["dtype not string"] = () => RawFile("{\"a\":{\"dtype\":6,\"shape\":[2],\"data_offsets\":[0,8]}}", EightBytes),
        ["missing dtype"] = () => RawFile("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", EightBytes),
        ["missing shape"] = () => RawFile("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", EightBytes),
        ["missing offsets"] = () => RawFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", EightBytes),
        ["extra field"] = () => RawFile("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"foo\":1}}", EightBytes),
        ["duplicate field"] = () => RawFile("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", EightBytes),
        ["shape not array"] = () => RawFile("{\"a\":" + Tensor(shape: "2") + "}", EightBytes),
        ["shape negative"] = () => RawFile("{\"a\":" + Tensor(shape: "[-2]") + "}", EightBytes),
        ["shape fraction"] = () => RawFile("{\"a\":" + Tensor(shape: "[2.0]") + "}", EightBytes),
        ["shape exponent"] = () => RawFile("{\"a\":" + Tensor(shape: "[2e0]") + "}", EightBytes),
        ["shape string"] = () => RawFile("{\"a\":" + Tensor(shape: "[\"2\"]") + "}", EightBytes),
        ["shape nested"] = () => RawFile("{\"a\":" + Tensor(shape: "[[2]]") + "}", EightBytes),
        ["shape too large"] = () => RawFile("{\"a\":" + Tensor(shape: "[99999999999999999999]") + "}", EightBytes),
        ["shape overflow"] = () => RawFile("{\"a\":" + Tensor(shape: "[4294967296,4294967296]") + "}", EightBytes),
        ["size overflow"] = () => RawFile("{\"a\":" + Tensor(dtype: "F64", shape: "[2305843009213693952]") + "}", EightBytes),
        ["offsets one value"] = () => RawFile("{\"a\":" + Tensor(offsets: "[8]") + "}", EightBytes),
        ["offsets three values"] = () => RawFile("{\"a\":" + Tensor(offsets: "[0,8,8]") + "}", EightBytes),
        ["offsets not array"] = () => RawFile("{\"a\":" + Tensor(offsets: "{\"begin\":0}") + "}", EightBytes),
        ["offsets negative"] = () => RawFile("{\"a\":" + Tensor(offsets: "[-8,0]") + "}", EightBytes),
        ["offsets begin after end"] = () => RawFile("{\"a\":" + Tensor(shape: "[0]", offsets: "[8,0]") + "}", EightBytes),
        ["offsets beyond data"] = () => RawFile("{\"a\":" + Tensor(shape: "[4]", offsets: "[0,16]") + "}", EightBytes),
        ["offsets huge"] = () => RawFile("{\"a\":" + Tensor(offsets: "[9223372036854775800,9223372036854775807]") + "}", EightBytes),
        ["size mismatch"] = () => RawFile("{\"a\":" + Tensor(shape: "[3]", offsets: "[0,8]") + "}", EightBytes),
        ["overlap"] = () => RawFile("{\"a\":" + Tensor(shape: "[1]", offsets: "[0,4]") + ",\"b\":" + Tensor(shape: "[1]", offsets: "[2,6]") + "}", EightBytes),
        ["same range twice"] = () => RawFile("{\"a\":" + Tensor() + ",\"b\":" + Tensor() + "}", EightBytes),
        ["empty tensor inside another"] = () => RawFile("{\"a\":" + Tensor() + ",\"b\":" + Tensor(shape: "[0]", offsets: "[4,4]") + "}", EightBytes),
        ["gap between tensors"] = () => RawFile("{\"a\":" + Tensor(dtype: "U8", shape: "[2]", offsets: "[0,2]") + ",\"b\":" + Tensor(dtype: "U8", shape: "[3]", offsets: "[5,8]") + "}", EightBytes),
        ["trailing bytes"] = () => RawFile("{\"a\":" + Tensor(dtype: "U8", shape: "[3]", offsets: "[0,3]") + "}", EightBytes),
        ["data without tensors"] = () => RawFile("{}", EightBytes),
        ["gap at start"] = () => RawFile("{\"a\":" + Tensor(dtype: "U8", shape: "[4]", offsets: "[4,8]") + "}", EightBytes),
        ["duplicate tensor"] = () => RawFile("{\"a\":" + Tensor(shape: "[1]", offsets: "[0,4]") + ",\"a\":" + Tensor(shape: "[1]", offsets: "[4,8]") + "}", EightBytes),
        ["duplicate tensor escaped"] = () => RawFile("{\"a\":" + Tensor(shape: "[1]", offsets: "[0,4]") + ",\"\\u0061\":" + Tensor(shape: "[1]", offsets: "[4,8]") + "}", EightBytes),
        ["empty name"] = () => RawFile("{\"\":" + Tensor() + "}", EightBytes),
        ["duplicate metadata"] = () => RawFile("{\"__metadata__\":{},\"__metadata__\":{}}"),
        ["metadata not object"] = () => RawFile("{\"__metadata__\":[\"a\"]}"),
        ["metadata number value"] = () => RawFile("{\"__metadata__\":{\"epoch\":3}}"),
        ["metadata null value"] = () => RawFile("{\"__metadata__\":{\"epoch\":null}}"),
        ["metadata nested value"] = () => RawFile("{\"__metadata__\":{\"k\":{\"x\":\"y\"}}}"),
        ["metadata duplicate key"] = () => RawFile("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}"),
        ["deep nesting"] = () => RawFile("{\"__metadata__\":{\"k\":" + new string('[', 10_000) + new string(']', 10_000) + "}}"),
    };

    [TestMethod]
    [DataRow("empty file", "the file is 0 bytes long, shorter than the 8-byte header length prefix")]
    [DataRow("seven bytes", "the file is 7 bytes long")]
    [DataRow("header length zero", "the header length is 0")]
    [DataRow("header length over limit", "header length 100000001 exceeds the limit of 100000000 bytes")]
    [DataRow("header length u64 max", "header length 18446744073709551615 exceeds the limit")]
    [DataRow("header beyond file", "header length 64 extends beyond the end of the file (only 10 bytes follow")]
    [DataRow("invalid utf8", "not valid UTF-8 (bad byte sequence at header byte 3)")]
    [DataRow("overlong utf8", "not valid UTF-8 (bad byte sequence at header byte 2)")]
    [DataRow("header is array", "not a JSON object: it must start with '{' but starts with '['")]
    [DataRow("header is string", "not a JSON object")]
    [DataRow("header leading space", "not a JSON object: it must start with '{' but starts with ' '")]
    [DataRow("truncated json", "the header is not valid JSON")]
    [DataRow("json trailing garbage", "the header is not valid JSON")]
    [DataRow("json comment", "the header is not valid JSON")]
    [DataRow("json nul padding", "the header is not valid JSON")]
    [DataRow("raw newline in name", "the header is not valid JSON")]
    [DataRow("lone surrogate escape", "cannot be decoded")]
    [DataRow("entry not object", "tensor 'a': expected a JSON object but found an array")]
    [DataRow("entry is null", "tensor 'a': expected a JSON object but found null")]
    [DataRow("unknown dtype", "tensor 'a': unknown or unsupported dtype 'U16'")]
    [DataRow("lowercase dtype", "unknown or unsupported dtype 'f32'")]
    [DataRow("dtype not string", "tensor 'a': 'dtype' must be a string but is a number")]
    [DataRow("missing dtype", "tensor 'a': missing field 'dtype'")]
    [DataRow("missing shape", "tensor 'a': missing field 'shape'")]
    [DataRow("missing offsets", "tensor 'a': missing field 'data_offsets'")]
    [DataRow("extra field", "tensor 'a': unknown field 'foo'")]
    [DataRow("duplicate field", "tensor 'a': duplicate field 'dtype'")]
    [DataRow("shape not array", "tensor 'a': 'shape' must be an array of non-negative integers but is a number")]
    [DataRow("shape negative", "tensor 'a': shape[0] must be a non-negative integer no larger than 9223372036854775807 but is -2")]
    [DataRow("shape fraction", "shape[0] must be a non-negative integer no larger than 9223372036854775807 but is 2.0")]
    [DataRow("shape exponent", "shape[0] must be a non-negative integer no larger than 9223372036854775807 but is 2e0")]
    [DataRow("shape string", "tensor 'a': shape[0] must be a non-negative integer but is a string")]
    [DataRow("shape nested", "tensor 'a': shape[0] must be a non-negative integer but is an array")]
    [DataRow("shape too large", "but is 99999999999999999999")]
    [DataRow("shape overflow", "tensor 'a': element count × element size overflows (dtype F32, shape [4294967296, 4294967296])")]
    [DataRow("size overflow", "tensor 'a': element count × element size overflows (dtype F64")]
    [DataRow("offsets one value", "tensor 'a': 'data_offsets' must be an array of two non-negative integers [begin, end] but has 1 element(s)")]
    [DataRow("offsets three values", "but has 3 element(s)")]
    [DataRow("offsets not array", "tensor 'a': 'data_offsets' must be an array of two non-negative integers [begin, end] but is an object")]
    [DataRow("offsets negative", "tensor 'a': data_offsets[0] must be a non-negative integer")]
    [DataRow("offsets begin after end", "tensor 'a': data_offsets begin 8 is greater than end 0")]
    [DataRow("offsets beyond data", "tensor 'a': data_offsets [0, 16] extend beyond the data area (8 bytes)")]
    [DataRow("offsets huge", "extend beyond the data area (8 bytes)")]
    [DataRow("size mismatch", "tensor 'a': data_offsets [0, 8] span 8 bytes but dtype F32 with shape [3] needs 12 bytes")]
    [DataRow("overlap", "tensor 'b': data_offsets [2, 6] overlap tensor 'a' at [0, 4]")]
    [DataRow("same range twice", "data_offsets [0, 8] overlap tensor")]
    [DataRow("empty tensor inside another", "tensor 'b': data_offsets [4, 4] overlap tensor 'a' at [0, 8]")]
    [DataRow("gap between tensors", "the data area has 3 bytes not covered by any tensor (first uncovered range [2, 5) of the 8-byte data area)")]
    [DataRow("trailing bytes", "the data area has 5 bytes not covered by any tensor (first uncovered range [3, 8)")]
    [DataRow("data without tensors", "the data area has 8 bytes not covered by any tensor")]
    [DataRow("gap at start", "the data area has 4 bytes not covered by any tensor (first uncovered range [0, 4)")]
    [DataRow("duplicate tensor", "duplicate tensor name 'a'")]
    [DataRow("duplicate tensor escaped", "duplicate tensor name 'a'")]
    [DataRow("empty name", "tensor with an empty name (header byte 1)")]
    [DataRow("duplicate metadata", "duplicate '__metadata__' key")]
    [DataRow("metadata not object", "'__metadata__' must be a JSON object of strings but is an array")]
    [DataRow("metadata number value", "'__metadata__' value for key 'epoch' must be a string but is a number")]
    [DataRow("metadata null value", "'__metadata__' value for key 'epoch' must be a string but is null")]
    [DataRow("metadata nested value", "'__metadata__' value for key 'k' must be a string but is an object")]
    [DataRow("metadata duplicate key", "'__metadata__' has a duplicate key 'k'")]
    [DataRow("deep nesting", "'__metadata__' value for key 'k' must be a string but is an array")]
    public void Read_HostileInput_IsRejected(string kind, string fragment)
    {
        byte[] file = HostileFiles[kind]();

        InvalidDataException ex = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensorsFormat.Read(file));
        StringAssert.StartsWith(ex.Message, "Invalid safetensors data: ");
        StringAssert.Contains(ex.Message, fragment);

        // The stream readers report the same problem.
        InvalidDataException fromStream = Assert.ThrowsExactly<InvalidDataException>(
            () => SafeTensorsFormat.Read(new NonSeekableStream(new MemoryStream(file), chunk: 4096)));
        Assert.AreEqual(ex.Message, fromStream.Message);
    }

    [TestMethod]
    public void Read_HostileInput_TableIsFullyExercised()
    {
        var tested = typeof(SafeTensorsFormatTests).GetMethod(nameof(Read_HostileInput_IsRejected))!
            .GetCustomAttributes(typeof(DataRowAttribute), false)
            .Cast<DataRowAttribute>()
            .Select(row => (string)row.Data[0]!)
            .ToHashSet();
        CollectionAssert.AreEquivalent(HostileFiles.Keys.ToArray(), tested.ToArray());
    }

    [TestMethod]
    public void Read_HostileNames_AreShownSafely()
    {
        string longName = new('x', 5000);
        byte[] file = RawFile("{\"" + longName + "\\u0007\":" + Tensor(dtype: "Q8") + "}", EightBytes);
        InvalidDataException ex = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensorsFormat.Read(file));
        StringAssert.Contains(ex.Message, "...(5001 chars)");
        Assert.IsLessThan(400, ex.Message.Length);

        file = RawFile("{\"bell\\u0007\":" + Tensor(dtype: "Q8") + "}", EightBytes);
        ex = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensorsFormat.Read(file));
        StringAssert.Contains(ex.Message, "tensor 'bell\\u0007'");
    }

    [TestMethod]
    public void Read_EveryTruncationOfAValidFile_IsRejected()
    {
        byte[] file = SafeTensorsFormat.Serialize(SampleEntries(), new Dictionary<string, string> { ["k"] = "v" });
        for (int length = 0; length < file.Length; length++)
        {
            byte[] truncated = file[..length];
            Assert.ThrowsExactly<InvalidDataException>(() => SafeTensorsFormat.Read(truncated), $"length {length}");
        }
    }

    [TestMethod]
    public void Read_RandomCorruption_OnlyEverThrowsInvalidData()
    {
        byte[] file = SafeTensorsFormat.Serialize(SampleEntries(), new Dictionary<string, string> { ["k"] = "v" });
        int headerEnd = 8 + checked((int)BinaryPrimitives.ReadUInt64LittleEndian(file));
        var random = new Random(1234);
        for (int trial = 0; trial < 2000; trial++)
        {
            byte[] corrupt = (byte[])file.Clone();
            int flips = random.Next(1, 4);
            for (int i = 0; i < flips; i++)
            {
                corrupt[random.Next(headerEnd)] = (byte)random.Next(256);
            }
            try
            {
                SafeTensorsFormat.Read(corrupt);
            }
            catch (InvalidDataException)
            {
            }
        }
    }

    // ------------------------------------------------------------------ interop with an independent reader/writer

    private static string? FindPython()
    {
        foreach (string candidate in new[] { "/usr/bin/python3", "/usr/local/bin/python3" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        string? path = Environment.GetEnvironmentVariable("PATH");
        return path?.Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, OperatingSystem.IsWindows() ? "python.exe" : "python3"))
            .FirstOrDefault(File.Exists);
    }

    private static string RunPython(string script, params string[] args)
    {
        string? python = FindPython();
        if (python is null)
        {
            Assert.Inconclusive("python3 is not available.");
        }
        var start = new ProcessStartInfo(python!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(60_000))
        {
            process.Kill();
            Assert.Fail("python3 timed out.");
        }
        Assert.AreEqual(0, process.ExitCode, stderr.Result);
        return stdout.Result;
    }

    // Reads a safetensors file using only json/struct, checks the layout rules, and prints the
    // decoded values (bfloat16 widened to float) as JSON.
    private const string PythonReader = """
        import json, struct, sys
        raw = open(sys.argv[1], 'rb').read()
        (n,) = struct.unpack('<Q', raw[:8])
        assert n % 8 == 0, 'header not padded'
        header = json.loads(raw[8:8 + n].decode('utf-8'))
        data = raw[8 + n:]
        fmt = {'F64': 'd', 'F32': 'f', 'F16': 'e', 'I64': 'q', 'I32': 'i', 'I16': 'h', 'I8': 'b', 'U8': 'B', 'BOOL': '?'}
        size = {'F64': 8, 'I64': 8, 'F32': 4, 'I32': 4, 'F16': 2, 'BF16': 2, 'I16': 2, 'I8': 1, 'U8': 1, 'BOOL': 1}
        out = {'__metadata__': header.pop('__metadata__', None), 'order': list(header.keys()), 'tensors': {}}
        cursor = 0
        for name, info in sorted(header.items(), key=lambda kv: kv[1]['data_offsets']):
            begin, end = info['data_offsets']
            assert begin == cursor, name
            count = 1
            for d in info['shape']:
                count *= d
            assert end - begin == count * size[info['dtype']], name
            chunk = data[begin:end]
            if info['dtype'] == 'BF16':
                values = [struct.unpack('<f', b'\x00\x00' + chunk[i:i + 2])[0] for i in range(0, len(chunk), 2)]
            else:
                values = list(struct.unpack('<%d%s' % (count, fmt[info['dtype']]), chunk))
            out['tensors'][name] = {'dtype': info['dtype'], 'shape': info['shape'], 'values': values}
            cursor = end
        assert cursor == len(data), 'data not covered'
        print(json.dumps(out))
        """;

    // Writes a file the way the reference implementation lays it out (decreasing alignment,
    // then name; compact JSON; space padding), using only json/struct.
    private const string PythonWriter = """
        import json, struct, sys
        rank = ['BOOL', 'U8', 'I8', 'I16', 'F16', 'BF16', 'I32', 'F32', 'F64', 'I64']
        tensors = {
            'weight': ('F32', [2, 2], struct.pack('<4f', 1.5, -2.0, 0.25, 8.0)),
            'bias': ('F64', [2], struct.pack('<2d', 0.1, -0.2)),
            'step': ('I64', [], struct.pack('<q', 123456789012)),
            'mask': ('BOOL', [3], bytes([1, 0, 1])),
            'half': ('F16', [2], struct.pack('<2e', 0.5, -1.0)),
            'brain': ('BF16', [2], bytes([0x80, 0x3f, 0x00, 0xc0])),
            'ids': ('I32', [0, 4], b''),
            'small': ('I8', [2], struct.pack('<2b', -5, 7)),
            'short': ('I16', [1], struct.pack('<h', -300)),
            'caf\u00e9 \u6f22': ('U8', [2], bytes([9, 250])),
        }
        order = sorted(tensors, key=lambda k: (-rank.index(tensors[k][0]), k.encode('utf-8')))
        header = {'__metadata__': {'format': 'pt', 'note': 'tab\there "quoted"'}}
        offset = 0
        for name in order:
            dtype, shape, blob = tensors[name]
            header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [offset, offset + len(blob)]}
            offset += len(blob)
        text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
        text += b' ' * ((8 - len(text) % 8) % 8)
        with open(sys.argv[1], 'wb') as f:
            f.write(struct.pack('<Q', len(text)))
            f.write(text)
            for name in order:
                f.write(tensors[name][2])
        """;

    [TestMethod]
    public void Interop_IndependentPythonReader_ReadsOurFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"safetensors-{Guid.NewGuid():N}.safetensors");
        try
        {
            SafeTensorEntry[] entries =
            [
                new("weight", ScalarType.Float32, [2, 2], Le(1.5f, -2f, 0.25f, 8f)),
                new("bias", ScalarType.Float64, [2], Le(0.1, -0.2)),
                new("step", ScalarType.Int64, [], Le(123456789012L)),
                new("mask", ScalarType.Bool, [3], new byte[] { 1, 0, 1 }),
                new("half", ScalarType.Float16, [2], Le((Half)0.5f, (Half)(-1f))),
                new("brain", ScalarType.BFloat16, [2], new byte[] { 0x80, 0x3F, 0x00, 0xC0 }),
                new("ids", ScalarType.Int32, [0, 4], Array.Empty<byte>()),
                new("small", ScalarType.Int8, [2], Le((sbyte)-5, (sbyte)7)),
                new("short", ScalarType.Int16, [1], Le((short)-300)),
                new("café 漢", ScalarType.Byte, [2], new byte[] { 9, 250 }),
            ];
            var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "tab\there \"quoted\"" };
            SafeTensorsFormat.WriteFile(path, entries, metadata);

            using JsonDocument doc = JsonDocument.Parse(RunPython(PythonReader, path));
            JsonElement root = doc.RootElement;
            Assert.AreEqual("pt", root.GetProperty("__metadata__").GetProperty("format").GetString());
            Assert.AreEqual("tab\there \"quoted\"", root.GetProperty("__metadata__").GetProperty("note").GetString());
            CollectionAssert.AreEqual(
                new[] { "step", "bias", "weight", "ids", "brain", "half", "short", "small", "café 漢", "mask" },
                root.GetProperty("order").EnumerateArray().Select(e => e.GetString()).ToArray());

            JsonElement tensors = root.GetProperty("tensors");
            double[] Values(string name) => tensors.GetProperty(name).GetProperty("values").EnumerateArray()
                .Select(v => v.ValueKind switch
                {
                    JsonValueKind.True => 1.0,
                    JsonValueKind.False => 0.0,
                    _ => v.GetDouble(),
                }).ToArray();
            CollectionAssert.AreEqual(new[] { 1.5, -2, 0.25, 8 }, Values("weight"));
            CollectionAssert.AreEqual(new[] { 0.1, -0.2 }, Values("bias"));
            CollectionAssert.AreEqual(new[] { 123456789012.0 }, Values("step"));
            CollectionAssert.AreEqual(new[] { 1.0, 0, 1 }, Values("mask"));
            CollectionAssert.AreEqual(new[] { 0.5, -1 }, Values("half"));
            CollectionAssert.AreEqual(new[] { 1.0, -2 }, Values("brain"));
            Assert.IsEmpty(Values("ids"));
            CollectionAssert.AreEqual(new[] { -5.0, 7 }, Values("small"));
            CollectionAssert.AreEqual(new[] { -300.0 }, Values("short"));
            CollectionAssert.AreEqual(new[] { 9.0, 250 }, Values("café 漢"));
            foreach (SafeTensorEntry entry in entries)
            {
                CollectionAssert.AreEqual(
                    entry.Shape,
                    tensors.GetProperty(entry.Name).GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
                    entry.Name);
                Assert.AreEqual(SafeTensorsFormat.GetDTypeName(entry.DType), tensors.GetProperty(entry.Name).GetProperty("dtype").GetString());
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void Interop_IndependentPythonWriter_MatchesOurBytes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"safetensors-{Guid.NewGuid():N}.safetensors");
        try
        {
            RunPython(PythonWriter, path);
            byte[] pythonBytes = File.ReadAllBytes(path);

            SafeTensorsFile read = SafeTensorsFormat.Read(pythonBytes);

            Assert.AreEqual("pt", read.Metadata["format"]);
            Assert.AreEqual("tab\there \"quoted\"", read.Metadata["note"]);
            CollectionAssert.AreEqual(new[] { 1.5f, -2f, 0.25f, 8f }, MemoryMarshal.Cast<byte, float>(read["weight"].Data.Span).ToArray());
            CollectionAssert.AreEqual(new long[] { 2, 2 }, read["weight"].Shape);
            Assert.AreEqual(123456789012L, BitConverter.ToInt64(read["step"].Data.Span));
            Assert.IsEmpty(read["step"].Shape);
            CollectionAssert.AreEqual(new long[] { 0, 4 }, read["ids"].Shape);
            Assert.AreEqual(ScalarType.BFloat16, read["brain"].DType);
            Assert.AreEqual((Half)(-1f), MemoryMarshal.Cast<byte, Half>(read["half"].Data.Span)[1]);
            CollectionAssert.AreEqual(new byte[] { 9, 250 }, read["café 漢"].Data.ToArray());

            // Writing what was read reproduces the independent writer's bytes exactly.
            CollectionAssert.AreEqual(pythonBytes, SafeTensorsFormat.Serialize(read.Entries.Values, read.Metadata));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void DTypeNames_RoundTrip()
    {
        var names = new HashSet<string>();
        foreach (ScalarType dtype in AllDTypes)
        {
            string name = SafeTensorsFormat.GetDTypeName(dtype);
            Assert.IsTrue(names.Add(name));
            Assert.IsTrue(SafeTensorsFormat.TryParseDTypeName(name, out ScalarType parsed));
            Assert.AreEqual(dtype, parsed);
        }
        Assert.IsFalse(SafeTensorsFormat.TryParseDTypeName("U64", out _));
        Assert.IsFalse(SafeTensorsFormat.TryParseDTypeName(null, out _));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SafeTensorsFormat.GetDTypeName((ScalarType)99));
        // TorchSharp's ScalarType also has complex and quantized types, which safetensors files here do not hold.
        foreach (ScalarType dtype in Enum.GetValues<ScalarType>())
        {
            bool supported = AllDTypes.Contains(dtype);
            Assert.AreEqual(supported, SafeTensorsFormat.IsSupported(dtype), dtype.ToString());
            if (!supported) Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SafeTensorsFormat.GetDTypeName(dtype), dtype.ToString());
        }
    }
}
