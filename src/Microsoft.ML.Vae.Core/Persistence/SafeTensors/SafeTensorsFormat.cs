using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Persistence.SafeTensors;

/// <summary>
/// Reads and writes the safetensors format in managed code, on raw <see cref="SafeTensorEntry"/>
/// records.
/// </summary>
/// <remarks>
/// <para>
/// Layout: an unsigned 64-bit little-endian header length <c>N</c>; <c>N</c> bytes of UTF-8 JSON
/// mapping each tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c>, plus an
/// optional <c>"__metadata__"</c> object of strings; then the data area, which the tensors'
/// byte ranges (relative to its start) must cover exactly.
/// </para>
/// <para>
/// Writing follows the reference implementation: tensors are laid out by decreasing dtype
/// alignment, then by name (ordinal UTF-8), with the header listing them in that order, written
/// as compact JSON and padded with spaces to a multiple of 8 bytes; metadata comes first, its keys
/// sorted. The output depends only on the input, so it is deterministic.
/// </para>
/// <para>
/// Reading treats the input as untrusted: every structural problem raises an
/// <see cref="InvalidDataException"/> whose message says what is wrong and where (a tensor name
/// or a byte position in the header). Tensor data is never interpreted, so the code behaves the
/// same on any host; the data is little-endian by definition of the format.
/// </para>
/// </remarks>
public static class SafeTensorsFormat
{
    /// <summary>The largest header accepted or written, in bytes (as in the reference implementation).</summary>
    public const int MaxHeaderLength = 100_000_000;

    /// <summary>The header key that holds the string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Default bound on what <see cref="Read(Stream, long)"/> reads: the largest byte array.</summary>
    public const long DefaultMaxFileLength = 0x7FFFFFC7;

    private const int PrefixLength = 8;
    private const string ErrorPrefix = "Invalid safetensors data: ";
    private const int MaxShownNameLength = 120;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    // ------------------------------------------------------------------ dtype names

    /// <summary>The safetensors spelling of <paramref name="dtype"/> (<c>"F32"</c>, <c>"BF16"</c>, ...).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dtype"/> has no safetensors name here (complex and quantized types).</exception>
    public static string GetDTypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.Bool => "BOOL",
        ScalarType.Byte => "U8",
        ScalarType.Int8 => "I8",
        ScalarType.Int16 => "I16",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int32 => "I32",
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "The dtype has no safetensors name."),
    };

    /// <summary>Parses a safetensors dtype spelling; false for names this library does not support.</summary>
    public static bool TryParseDTypeName(string? name, out ScalarType dtype)
    {
        switch (name)
        {
            case "BOOL": dtype = ScalarType.Bool; return true;
            case "U8": dtype = ScalarType.Byte; return true;
            case "I8": dtype = ScalarType.Int8; return true;
            case "I16": dtype = ScalarType.Int16; return true;
            case "F16": dtype = ScalarType.Float16; return true;
            case "BF16": dtype = ScalarType.BFloat16; return true;
            case "I32": dtype = ScalarType.Int32; return true;
            case "F32": dtype = ScalarType.Float32; return true;
            case "F64": dtype = ScalarType.Float64; return true;
            case "I64": dtype = ScalarType.Int64; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>True for the element types safetensors files of this library can hold (those with a <see cref="GetDTypeName"/>).</summary>
    public static bool IsSupported(ScalarType dtype) => dtype is
        ScalarType.Bool or ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Float16 or
        ScalarType.BFloat16 or ScalarType.Int32 or ScalarType.Float32 or ScalarType.Float64 or ScalarType.Int64;

    /// <summary>Rank of a dtype in the reference implementation's enum, which is in increasing alignment.</summary>
    private static int AlignmentRank(ScalarType dtype) => dtype switch
    {
        ScalarType.Bool => 0,
        ScalarType.Byte => 1,
        ScalarType.Int8 => 2,
        ScalarType.Int16 => 3,
        ScalarType.Float16 => 4,
        ScalarType.BFloat16 => 5,
        ScalarType.Int32 => 6,
        ScalarType.Float32 => 7,
        ScalarType.Float64 => 8,
        ScalarType.Int64 => 9,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    // ------------------------------------------------------------------ writing

    /// <summary>Writes <paramref name="entries"/> and optional <paramref name="metadata"/> to <paramref name="stream"/>.</summary>
    /// <param name="stream">Destination; written from its current position and left open.</param>
    /// <param name="entries">The tensors; names must be unique, non-empty and not <c>__metadata__</c>.</param>
    /// <param name="metadata">String pairs stored under <c>__metadata__</c>; omitted when null or empty.</param>
    /// <exception cref="ArgumentException">An entry is inconsistent (see <see cref="SafeTensorEntry"/>) or a name is invalid.</exception>
    public static void Write(Stream stream, IEnumerable<SafeTensorEntry> entries, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WritePrepared(stream, Prepare(entries, metadata));
    }

    private static void WritePrepared(Stream stream, Prepared prepared)
    {
        Span<byte> prefix = stackalloc byte[PrefixLength];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)prepared.Header.Length);
        stream.Write(prefix);
        stream.Write(prepared.Header);
        foreach (SafeTensorEntry entry in prepared.Ordered)
        {
            stream.Write(entry.Data.Span);
        }
    }

    /// <summary>Returns the bytes <see cref="Write"/> would produce.</summary>
    /// <exception cref="ArgumentException">As for <see cref="Write"/>, or the result would exceed the largest byte array.</exception>
    public static byte[] Serialize(IEnumerable<SafeTensorEntry> entries, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Prepared prepared = Prepare(entries, metadata);
        long total = PrefixLength + (long)prepared.Header.Length + prepared.DataLength;
        if (total > Array.MaxLength)
        {
            throw new ArgumentException(
                $"The serialized file would be {total} bytes, more than a byte array can hold; use Write with a stream.",
                nameof(entries));
        }
        byte[] result = new byte[total];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)prepared.Header.Length);
        prepared.Header.CopyTo(result, PrefixLength);
        int position = PrefixLength + prepared.Header.Length;
        foreach (SafeTensorEntry entry in prepared.Ordered)
        {
            entry.Data.Span.CopyTo(result.AsSpan(position));
            position += entry.Data.Length;
        }
        return result;
    }

    /// <summary>Writes a safetensors file at <paramref name="path"/> atomically, replacing any existing file.</summary>
    /// <exception cref="ArgumentException">As for <see cref="Write"/>.</exception>
    /// <exception cref="IOException">The file could not be written; any previous file is unchanged.</exception>
    public static void WriteFile(string path, IEnumerable<SafeTensorEntry> entries, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // Validate before touching the file system so that bad input leaves no partial file.
        Prepared prepared = Prepare(entries, metadata);
        AtomicFile.Write(path, stream => WritePrepared(stream, prepared));
    }

    private sealed record Prepared(byte[] Header, SafeTensorEntry[] Ordered, long DataLength);

    private static Prepared Prepare(IEnumerable<SafeTensorEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(entries);

        var items = new List<(SafeTensorEntry Entry, byte[] NameUtf8, long ByteCount)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (SafeTensorEntry entry in entries)
        {
            if (entry is null)
            {
                throw new ArgumentException($"Entry {index} is null.", nameof(entries));
            }
            string shown = Show(entry.Name);
            if (string.IsNullOrEmpty(entry.Name))
            {
                throw new ArgumentException($"Entry {index} has an empty name.", nameof(entries));
            }
            if (entry.Name == MetadataKey)
            {
                throw new ArgumentException($"Entry {index}: the name '{MetadataKey}' is reserved for metadata.", nameof(entries));
            }
            if (!names.Add(entry.Name))
            {
                throw new ArgumentException($"Duplicate tensor name '{shown}'.", nameof(entries));
            }
            byte[] nameUtf8 = EncodeStrict(entry.Name, $"tensor name '{shown}'", nameof(entries));
            if (!IsSupported(entry.DType))
            {
                throw new ArgumentException($"Tensor '{shown}': dtype {entry.DType} is not supported.", nameof(entries));
            }
            if (entry.Shape is null)
            {
                throw new ArgumentException($"Tensor '{shown}': shape is null.", nameof(entries));
            }
            for (int d = 0; d < entry.Shape.Length; d++)
            {
                if (entry.Shape[d] < 0)
                {
                    throw new ArgumentException($"Tensor '{shown}': shape[{d}] is negative ({entry.Shape[d]}).", nameof(entries));
                }
            }
            if (!TryByteCount(entry.Shape, entry.DType, out long byteCount))
            {
                throw new ArgumentException(
                    $"Tensor '{shown}': element count × element size overflows for shape {FormatShape(entry.Shape)}.",
                    nameof(entries));
            }
            if (entry.Data.Length != byteCount)
            {
                throw new ArgumentException(
                    $"Tensor '{shown}': data has {entry.Data.Length} bytes but dtype {GetDTypeName(entry.DType)} " +
                    $"with shape {FormatShape(entry.Shape)} needs {byteCount} bytes.",
                    nameof(entries));
            }
            items.Add((entry, nameUtf8, byteCount));
            index++;
        }

        items.Sort(static (a, b) =>
        {
            int byAlignment = AlignmentRank(b.Entry.DType).CompareTo(AlignmentRank(a.Entry.DType));
            return byAlignment != 0 ? byAlignment : a.NameUtf8.AsSpan().SequenceCompareTo(b.NameUtf8);
        });

        var json = new ArrayBufferWriter<byte>(256);
        json.Write("{"u8);
        bool first = true;
        if (metadata is { Count: > 0 })
        {
            var pairs = new List<(byte[] Key, byte[] Value)>(metadata.Count);
            foreach (KeyValuePair<string, string> pair in metadata)
            {
                if (pair.Key is null)
                {
                    throw new ArgumentException("A metadata key is null.", nameof(metadata));
                }
                if (pair.Value is null)
                {
                    throw new ArgumentException($"Metadata value for key '{Show(pair.Key)}' is null.", nameof(metadata));
                }
                pairs.Add((EncodeStrict(pair.Key, $"metadata key '{Show(pair.Key)}'", nameof(metadata)),
                           EncodeStrict(pair.Value, $"metadata value for key '{Show(pair.Key)}'", nameof(metadata))));
            }
            pairs.Sort(static (a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));
            WriteJsonString(json, "__metadata__"u8);
            json.Write(":{"u8);
            for (int i = 0; i < pairs.Count; i++)
            {
                if (i > 0)
                {
                    json.Write(","u8);
                }
                WriteJsonString(json, pairs[i].Key);
                json.Write(":"u8);
                WriteJsonString(json, pairs[i].Value);
            }
            json.Write("}"u8);
            first = false;
        }

        long offset = 0;
        var ordered = new SafeTensorEntry[items.Count];
        for (int i = 0; i < items.Count; i++)
        {
            (SafeTensorEntry entry, byte[] nameUtf8, long byteCount) = items[i];
            ordered[i] = entry;
            if (!first)
            {
                json.Write(","u8);
            }
            first = false;
            WriteJsonString(json, nameUtf8);
            json.Write(":{\"dtype\":\""u8);
            WriteAscii(json, GetDTypeName(entry.DType));
            json.Write("\",\"shape\":["u8);
            for (int d = 0; d < entry.Shape.Length; d++)
            {
                if (d > 0)
                {
                    json.Write(","u8);
                }
                WriteAscii(json, entry.Shape[d].ToString(CultureInfo.InvariantCulture));
            }
            json.Write("],\"data_offsets\":["u8);
            WriteAscii(json, offset.ToString(CultureInfo.InvariantCulture));
            json.Write(","u8);
            offset = checked(offset + byteCount);
            WriteAscii(json, offset.ToString(CultureInfo.InvariantCulture));
            json.Write("]}"u8);
        }
        json.Write("}"u8);

        int padding = (PrefixLength - json.WrittenCount % PrefixLength) % PrefixLength;
        long headerLength = (long)json.WrittenCount + padding;
        if (headerLength > MaxHeaderLength)
        {
            throw new ArgumentException(
                $"The header would be {headerLength} bytes, more than the limit of {MaxHeaderLength} bytes.",
                nameof(entries));
        }
        byte[] header = new byte[headerLength];
        json.WrittenSpan.CopyTo(header);
        header.AsSpan(json.WrittenCount).Fill((byte)' ');
        return new Prepared(header, ordered, offset);
    }

    private static byte[] EncodeStrict(string text, string what, string paramName)
    {
        try
        {
            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException($"The {what} is not valid UTF-16 (unpaired surrogate).", paramName, ex);
        }
    }

    /// <summary>Writes a JSON string the way the reference implementation's serializer does.</summary>
    private static void WriteJsonString(ArrayBufferWriter<byte> json, ReadOnlySpan<byte> utf8)
    {
        json.Write("\""u8);
        int start = 0;
        for (int i = 0; i < utf8.Length; i++)
        {
            byte b = utf8[i];
            ReadOnlySpan<byte> escape = b switch
            {
                (byte)'"' => "\\\""u8,
                (byte)'\\' => "\\\\"u8,
                (byte)'\b' => "\\b"u8,
                (byte)'\f' => "\\f"u8,
                (byte)'\n' => "\\n"u8,
                (byte)'\r' => "\\r"u8,
                (byte)'\t' => "\\t"u8,
                _ => default,
            };
            if (escape.IsEmpty && b >= 0x20)
            {
                continue;
            }
            json.Write(utf8[start..i]);
            if (escape.IsEmpty)
            {
                WriteAscii(json, "\\u00" + b.ToString("x2", CultureInfo.InvariantCulture));
            }
            else
            {
                json.Write(escape);
            }
            start = i + 1;
        }
        json.Write(utf8[start..]);
        json.Write("\""u8);
    }

    private static void WriteAscii(ArrayBufferWriter<byte> json, string ascii)
    {
        Span<byte> span = json.GetSpan(ascii.Length);
        for (int i = 0; i < ascii.Length; i++)
        {
            span[i] = (byte)ascii[i];
        }
        json.Advance(ascii.Length);
    }

    // ------------------------------------------------------------------ reading

    /// <summary>
    /// Parses and validates a whole safetensors file held in memory. The returned entries'
    /// <see cref="SafeTensorEntry.Data"/> alias <paramref name="bytes"/> (no copy).
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid safetensors file.</exception>
    public static SafeTensorsFile Read(ReadOnlyMemory<byte> bytes)
    {
        ReadOnlySpan<byte> span = bytes.Span;
        if (span.Length < PrefixLength)
        {
            throw Invalid($"the file is {span.Length} bytes long, shorter than the 8-byte header length prefix.");
        }
        ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(span);
        if (declared == 0)
        {
            throw Invalid("the header length is 0; the header must hold at least a JSON object '{}'.");
        }
        if (declared > MaxHeaderLength)
        {
            throw Invalid($"the header length {declared} exceeds the limit of {MaxHeaderLength} bytes.");
        }
        int available = span.Length - PrefixLength;
        if (declared > (ulong)available)
        {
            throw Invalid($"the header length {declared} extends beyond the end of the file " +
                          $"(only {available} bytes follow the 8-byte prefix).");
        }
        int headerLength = (int)declared;
        int dataStart = PrefixLength + headerLength;
        long dataLength = span.Length - dataStart;

        Header header = ParseHeader(span.Slice(PrefixLength, headerLength));
        ValidateLayout(header.Tensors, dataLength);

        var entries = new OrderedDictionary<string, SafeTensorEntry>(header.Tensors.Count, StringComparer.Ordinal);
        foreach (TensorInfo info in header.Tensors)
        {
            ReadOnlyMemory<byte> data = bytes.Slice(dataStart + (int)info.Begin, (int)(info.End - info.Begin));
            entries.Add(info.Name, new SafeTensorEntry(info.Name, info.DType, info.Shape, data));
        }
        return new SafeTensorsFile(entries, header.Metadata);
    }

    /// <summary>Parses and validates a safetensors file held in a byte array; entries alias the array.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid safetensors file.</exception>
    public static SafeTensorsFile Read(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return Read(new ReadOnlyMemory<byte>(bytes));
    }

    /// <summary>Parses and validates a safetensors file; the tensor data is copied out of <paramref name="bytes"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a valid safetensors file.</exception>
    public static SafeTensorsFile Read(ReadOnlySpan<byte> bytes) => Read(new ReadOnlyMemory<byte>(bytes.ToArray()));

    /// <summary>
    /// Reads <paramref name="stream"/> from its current position to its end, at most
    /// <paramref name="maxLength"/> bytes, and parses it as a safetensors file. The stream is left open.
    /// </summary>
    /// <exception cref="InvalidDataException">The stream is longer than <paramref name="maxLength"/> or is not a valid safetensors file.</exception>
    public static SafeTensorsFile Read(Stream stream, long maxLength = DefaultMaxFileLength)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxLength, (long)Array.MaxLength);
        if (stream.CanSeek)
        {
            long remaining = Math.Max(0, stream.Length - stream.Position);
            if (remaining > maxLength)
            {
                throw Invalid($"the stream holds {remaining} bytes, more than the limit of {maxLength} bytes.");
            }
            byte[] buffer = new byte[remaining];
            int read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            return Read(new ReadOnlyMemory<byte>(buffer, 0, read));
        }

        byte[] growing = new byte[(int)Math.Min(maxLength + 1, 1 << 16)];
        int length = 0;
        bool prefixChecked = false;
        while (true)
        {
            if (length == growing.Length)
            {
                if (length > maxLength)
                {
                    throw Invalid($"the stream holds more than the limit of {maxLength} bytes.");
                }
                int grown = (int)Math.Min((long)growing.Length * 2, maxLength + 1);
                Array.Resize(ref growing, grown);
            }
            int n = stream.Read(growing, length, growing.Length - length);
            if (n == 0)
            {
                break;
            }
            length += n;
            if (!prefixChecked && length >= PrefixLength)
            {
                prefixChecked = true;
                // Fail fast on an oversized header before reading the rest of the stream.
                ulong declared = BinaryPrimitives.ReadUInt64LittleEndian(growing);
                if (declared > MaxHeaderLength)
                {
                    throw Invalid($"the header length {declared} exceeds the limit of {MaxHeaderLength} bytes.");
                }
            }
        }
        if (length > maxLength)
        {
            throw Invalid($"the stream holds more than the limit of {maxLength} bytes.");
        }
        return Read(new ReadOnlyMemory<byte>(growing, 0, length));
    }

    /// <summary>Reads and validates the safetensors file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is larger than <paramref name="maxLength"/> or is not a valid safetensors file.</exception>
    public static SafeTensorsFile ReadFile(string path, long maxLength = DefaultMaxFileLength)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Read(stream, maxLength);
    }

    private sealed record TensorInfo(string Name, ScalarType DType, long[] Shape, long Begin, long End, long ByteCount);

    private sealed record Header(List<TensorInfo> Tensors, OrderedDictionary<string, string> Metadata);

    private static Header ParseHeader(ReadOnlySpan<byte> header)
    {
        if (!Utf8.IsValid(header))
        {
            throw Invalid($"the header is not valid UTF-8 (bad byte sequence at header byte {FirstInvalidUtf8(header)}).");
        }
        if (header[0] != (byte)'{')
        {
            throw Invalid($"the header is not a JSON object: it must start with '{{' but starts with {DescribeByte(header[0])}.");
        }

        var tensors = new List<TensorInfo>();
        var metadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(header, new JsonReaderOptions { MaxDepth = 8 });
        try
        {
            reader.Read(); // the '{' checked above
            while (true)
            {
                Next(ref reader);
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }
                long keyPosition = reader.TokenStartIndex;
                string key = reader.GetString()!;
                if (!seen.Add(key))
                {
                    throw Invalid(key == MetadataKey
                        ? $"the header has a duplicate '{MetadataKey}' key (header byte {keyPosition})."
                        : $"the header has a duplicate tensor name '{Show(key)}' (header byte {keyPosition}).");
                }
                Next(ref reader);
                if (key == MetadataKey)
                {
                    ParseMetadata(ref reader, metadata);
                }
                else
                {
                    if (key.Length == 0)
                    {
                        throw Invalid($"the header has a tensor with an empty name (header byte {keyPosition}).");
                    }
                    tensors.Add(ParseTensor(ref reader, key));
                }
            }
            if (reader.Read())
            {
                // Utf8JsonReader throws on anything but whitespace after the root value; this is a safeguard.
                throw Invalid($"the header has content after the JSON object (header byte {reader.TokenStartIndex}).");
            }
        }
        catch (JsonException ex)
        {
            throw Invalid($"the header is not valid JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw Invalid($"the header holds a string that cannot be decoded (near header byte {reader.TokenStartIndex}): {ex.Message}", ex);
        }
        return new Header(tensors, metadata);
    }

    private static void Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw Invalid($"the header is not valid JSON: it ends early (header byte {reader.BytesConsumed}).");
        }
    }

    private static void ParseMetadata(ref Utf8JsonReader reader, OrderedDictionary<string, string> metadata)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return; // the reference implementation reads null as "no metadata"
        }
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid($"'{MetadataKey}' must be a JSON object of strings but is {Describe(reader.TokenType)} " +
                          $"(header byte {reader.TokenStartIndex}).");
        }
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return;
            }
            long keyPosition = reader.TokenStartIndex;
            string key = reader.GetString()!;
            if (metadata.ContainsKey(key))
            {
                throw Invalid($"'{MetadataKey}' has a duplicate key '{Show(key)}' (header byte {keyPosition}).");
            }
            Next(ref reader);
            if (reader.TokenType != JsonTokenType.String)
            {
                throw Invalid($"'{MetadataKey}' value for key '{Show(key)}' must be a string but is " +
                              $"{Describe(reader.TokenType)} (header byte {reader.TokenStartIndex}).");
            }
            metadata.Add(key, reader.GetString()!);
        }
    }

    private static TensorInfo ParseTensor(ref Utf8JsonReader reader, string name)
    {
        string shown = Show(name);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Invalid($"tensor '{shown}': expected a JSON object but found {Describe(reader.TokenType)} " +
                          $"(header byte {reader.TokenStartIndex}).");
        }
        string? dtypeName = null;
        long[]? shape = null;
        long[]? offsets = null;
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }
            long fieldPosition = reader.TokenStartIndex;
            string field = reader.GetString()!;
            bool duplicate;
            Next(ref reader);
            switch (field)
            {
                case "dtype":
                    duplicate = dtypeName is not null;
                    if (!duplicate)
                    {
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            throw Invalid($"tensor '{shown}': 'dtype' must be a string but is {Describe(reader.TokenType)} " +
                                          $"(header byte {reader.TokenStartIndex}).");
                        }
                        dtypeName = reader.GetString()!;
                    }
                    break;
                case "shape":
                    duplicate = shape is not null;
                    if (!duplicate)
                    {
                        shape = ReadIntegerArray(ref reader, shown, "shape", exactLength: -1);
                    }
                    break;
                case "data_offsets":
                    duplicate = offsets is not null;
                    if (!duplicate)
                    {
                        offsets = ReadIntegerArray(ref reader, shown, "data_offsets", exactLength: 2);
                    }
                    break;
                default:
                    throw Invalid($"tensor '{shown}': unknown field '{Show(field)}' (header byte {fieldPosition}); " +
                                  "expected only 'dtype', 'shape' and 'data_offsets'.");
            }
            if (duplicate)
            {
                throw Invalid($"tensor '{shown}': duplicate field '{field}' (header byte {fieldPosition}).");
            }
        }

        if (dtypeName is null)
        {
            throw Invalid($"tensor '{shown}': missing field 'dtype'.");
        }
        if (shape is null)
        {
            throw Invalid($"tensor '{shown}': missing field 'shape'.");
        }
        if (offsets is null)
        {
            throw Invalid($"tensor '{shown}': missing field 'data_offsets'.");
        }
        if (!TryParseDTypeName(dtypeName, out ScalarType dtype))
        {
            throw Invalid($"tensor '{shown}': unknown or unsupported dtype '{Show(dtypeName)}' " +
                          "(supported: BOOL, U8, I8, I16, F16, BF16, I32, F32, F64, I64).");
        }
        if (!TryByteCount(shape, dtype, out long byteCount))
        {
            throw Invalid($"tensor '{shown}': element count × element size overflows " +
                          $"(dtype {dtypeName}, shape {FormatShape(shape)}).");
        }
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1], byteCount);
    }

    private static long[] ReadIntegerArray(ref Utf8JsonReader reader, string shown, string field, int exactLength)
    {
        string expectation = exactLength == 2
            ? "an array of two non-negative integers [begin, end]"
            : "an array of non-negative integers";
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Invalid($"tensor '{shown}': '{field}' must be {expectation} but is {Describe(reader.TokenType)} " +
                          $"(header byte {reader.TokenStartIndex}).");
        }
        var values = new List<long>();
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                break;
            }
            if (reader.TokenType != JsonTokenType.Number)
            {
                throw Invalid($"tensor '{shown}': {field}[{values.Count}] must be a non-negative integer but is " +
                              $"{Describe(reader.TokenType)} (header byte {reader.TokenStartIndex}).");
            }
            if (!reader.TryGetInt64(out long value) || value < 0)
            {
                string raw = Encoding.UTF8.GetString(reader.ValueSpan);
                throw Invalid($"tensor '{shown}': {field}[{values.Count}] must be a non-negative integer " +
                              $"no larger than {long.MaxValue} but is {Show(raw)} (header byte {reader.TokenStartIndex}).");
            }
            values.Add(value);
        }
        if (exactLength >= 0 && values.Count != exactLength)
        {
            throw Invalid($"tensor '{shown}': '{field}' must be {expectation} but has {values.Count} element(s).");
        }
        return values.ToArray();
    }

    private static void ValidateLayout(List<TensorInfo> tensors, long dataLength)
    {
        foreach (TensorInfo t in tensors)
        {
            string shown = Show(t.Name);
            if (t.Begin > t.End)
            {
                throw Invalid($"tensor '{shown}': data_offsets begin {t.Begin} is greater than end {t.End}.");
            }
            if (t.End > dataLength)
            {
                throw Invalid($"tensor '{shown}': data_offsets [{t.Begin}, {t.End}] extend beyond the data area " +
                              $"({dataLength} bytes).");
            }
            if (t.End - t.Begin != t.ByteCount)
            {
                throw Invalid($"tensor '{shown}': data_offsets [{t.Begin}, {t.End}] span {t.End - t.Begin} bytes " +
                              $"but dtype {GetDTypeName(t.DType)} with shape {FormatShape(t.Shape)} needs {t.ByteCount} bytes.");
            }
        }

        var byOffset = new List<TensorInfo>(tensors);
        byOffset.Sort(static (a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long cursor = 0;
        TensorInfo? last = null;
        long uncovered = 0;
        long gapBegin = -1, gapEnd = -1;
        foreach (TensorInfo t in byOffset)
        {
            if (t.Begin < cursor)
            {
                throw Invalid($"tensor '{Show(t.Name)}': data_offsets [{t.Begin}, {t.End}] overlap tensor " +
                              $"'{Show(last!.Name)}' at [{last.Begin}, {last.End}].");
            }
            if (t.Begin > cursor)
            {
                if (gapBegin < 0)
                {
                    (gapBegin, gapEnd) = (cursor, t.Begin);
                }
                uncovered += t.Begin - cursor;
            }
            if (t.End > t.Begin)
            {
                cursor = t.End;
                last = t;
            }
            else
            {
                cursor = t.Begin;
            }
        }
        if (cursor < dataLength)
        {
            if (gapBegin < 0)
            {
                (gapBegin, gapEnd) = (cursor, dataLength);
            }
            uncovered += dataLength - cursor;
        }
        if (uncovered > 0)
        {
            throw Invalid($"the data area has {uncovered} bytes not covered by any tensor " +
                          $"(first uncovered range [{gapBegin}, {gapEnd}) of the {dataLength}-byte data area).");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static bool TryByteCount(long[] shape, ScalarType dtype, out long byteCount)
    {
        byteCount = 0;
        foreach (long dim in shape)
        {
            if (dim == 0)
            {
                return true;
            }
        }
        long count = dtype.ElementSize();
        foreach (long dim in shape)
        {
            if (dim != 0 && count > long.MaxValue / dim)
            {
                return false;
            }
            count *= dim;
        }
        byteCount = count;
        return true;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int position = 0;
        while (position < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[position..], out _, out int consumed) != OperationStatus.Done)
            {
                return position;
            }
            position += consumed;
        }
        return position;
    }

    private static string FormatShape(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static string DescribeByte(byte b) =>
        b is >= 0x20 and < 0x7F ? $"'{(char)b}'" : $"byte 0x{b:X2}";

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };

    /// <summary>A name made safe to embed in a message: control characters escaped, long names shortened.</summary>
    private static string Show(string? text)
    {
        if (text is null)
        {
            return "(null)";
        }
        int shownLength = text.Length;
        if (shownLength > MaxShownNameLength)
        {
            shownLength = char.IsHighSurrogate(text[MaxShownNameLength - 1]) ? MaxShownNameLength - 1 : MaxShownNameLength;
        }
        var builder = new StringBuilder(shownLength + 24);
        foreach (char c in text.AsSpan(0, shownLength))
        {
            if (char.IsControl(c))
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }
        if (text.Length > MaxShownNameLength)
        {
            builder.Append("...(").Append(text.Length).Append(" chars)");
        }
        return builder.ToString();
    }

    private static InvalidDataException Invalid(string message, Exception? inner = null) =>
        new(ErrorPrefix + message, inner);
}
