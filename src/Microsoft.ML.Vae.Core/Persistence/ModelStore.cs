using System.Globalization;
using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Persistence;

using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Persistence.SafeTensors;
using Microsoft.ML.Vae.Core.Training;

/// <summary>
/// Saves and loads model files: a zip holding <c>config.json</c> (format version, kind, options,
/// shapes, library version, creation time), <c>weights.safetensors</c> (standard safetensors, readable
/// by Python) and optionally <c>history.csv</c>. Loading validates everything and reports damage as
/// <see cref="InvalidDataException"/> with a message naming the problem; nothing is leaked on failure.
/// </summary>
public static class ModelStore
{
    /// <summary>The file layout version written; files with a higher version are rejected.</summary>
    public const int FormatVersion = 1;

    /// <summary>Name of the configuration entry.</summary>
    public const string ConfigEntry = "config.json";

    /// <summary>Name of the weights entry.</summary>
    public const string WeightsEntry = "weights.safetensors";

    /// <summary>Name of the optional history entry.</summary>
    public const string HistoryEntry = "history.csv";

    private const long MaxConfigBytes = 4 << 20;
    private const long MaxHistoryBytes = 256L << 20;

    /// <summary>
    /// How options are written and read: camelCase names, enums as camelCase strings (numbers
    /// rejected), NaN/Infinity allowed, unknown names rejected, nullability respected.
    /// </summary>
    public static JsonSerializerOptions JsonOptions { get; } = CreateJsonOptions();

    // ---- saving

    /// <summary>Writes <paramref name="model"/> (and <paramref name="history"/>) to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">The model does not implement <see cref="IPersistableModel"/> or its options cannot be serialized.</exception>
    public static void Save(IVaeModel model, string path, TrainingHistory? history = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var parts = Prepare(model);
        AtomicFile.Write(path, s => WriteZip(s, parts, history));
    }

    /// <summary>Writes the model file to <paramref name="stream"/> (left open).</summary>
    public static void Save(IVaeModel model, Stream stream, TrainingHistory? history = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        WriteZip(stream, Prepare(model), history);
    }

    private static (byte[] Config, byte[] Weights) Prepare(IVaeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is not IPersistableModel p)
            throw new ArgumentException($"A '{model.Kind}' model ({model.GetType().Name}) cannot be saved: it does not implement {nameof(IPersistableModel)}.", nameof(model));
        var options = p.Options ?? throw new ArgumentException($"The '{model.Kind}' model has null options.", nameof(model));
        JsonNode? optionsNode;
        try { optionsNode = JsonSerializer.SerializeToNode(options, options.GetType(), JsonOptions); }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new ArgumentException($"The options of the '{model.Kind}' model cannot be serialized: {ex.Message}", nameof(model), ex);
        }
        if (optionsNode is not JsonObject)
            throw new ArgumentException($"The options of the '{model.Kind}' model must serialize to a JSON object.", nameof(model));
        var config = new JsonObject
        {
            ["formatVersion"] = FormatVersion,
            ["kind"] = model.Kind,
            ["options"] = optionsNode,
            ["sampleShape"] = new JsonArray(model.SampleShape.Select(d => (JsonNode)d).ToArray()),
            ["latentDim"] = model.LatentDim,
            ["libraryVersion"] = LibraryVersion,
            ["createdUtc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        var configBytes = Encoding.UTF8.GetBytes(config.ToJsonString(JsonOptions));
        var weights = StateDictIO.Serialize(p.StateDict(), new Dictionary<string, string> { ["kind"] = model.Kind });
        return (configBytes, weights);
    }

    private static void WriteZip(Stream stream, (byte[] Config, byte[] Weights) parts, TrainingHistory? history)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        Add(zip, ConfigEntry, parts.Config, CompressionLevel.Optimal);
        // Float weights barely compress; storing them keeps saving and loading fast.
        Add(zip, WeightsEntry, parts.Weights, CompressionLevel.NoCompression);
        if (history is not null)
        {
            var e = zip.CreateEntry(HistoryEntry, CompressionLevel.Optimal);
            using var s = e.Open();
            history.WriteCsv(s);
        }
    }

    private static void Add(ZipArchive zip, string name, byte[] bytes, CompressionLevel level)
    {
        var e = zip.CreateEntry(name, level);
        using var s = e.Open();
        s.Write(bytes);
    }

    // ---- loading

    /// <summary>
    /// Loads the model file at <paramref name="path"/> onto <paramref name="device"/> (default CPU),
    /// in evaluation mode, using <paramref name="registry"/> (default <see cref="ModelRegistry.Default"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is damaged, from a newer version, of an unknown kind, or does not match its architecture.</exception>
    public static IPersistableModel Load(string path, Device? device = null, ModelRegistry? registry = null) =>
        Load(path, ModelLoadOptions.Default, device, registry);

    /// <summary>Loads the model file at <paramref name="path"/> as <paramref name="options"/> say (e.g. accepting non-finite weights to inspect them).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is damaged, not a regular file, from a newer version, of an unknown kind, holds suspect weights (unless allowed), or does not match its architecture.</exception>
    public static IPersistableModel Load(string path, ModelLoadOptions options, Device? device = null, ModelRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var stream = OpenFile(path);
        return Load(stream, $"Model file '{path}'", options, device, registry);
    }

    /// <summary>Loads a model file from <paramref name="stream"/> (read from its start to its end; left open).</summary>
    public static IPersistableModel Load(Stream stream, Device? device = null, ModelRegistry? registry = null) =>
        Load(stream, ModelLoadOptions.Default, device, registry);

    /// <summary>Loads a model file from <paramref name="stream"/> as <paramref name="options"/> say (read from its start to its end; left open).</summary>
    public static IPersistableModel Load(Stream stream, ModelLoadOptions options, Device? device = null, ModelRegistry? registry = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        return Load(stream, "Model stream", options, device, registry);
    }

    private static IPersistableModel Load(Stream stream, string source, ModelLoadOptions options, Device? device, ModelRegistry? registry)
    {
        registry ??= ModelRegistry.Default;
        device ??= torch.CPU;
        using var zip = OpenZip(stream, source);
        var config = ParseConfig(ReadEntry(zip, ConfigEntry, MaxConfigBytes, source), source);
        if (!registry.TryGetFamily(config.Kind, out var family))
        {
            var known = registry.Kinds;
            throw new InvalidDataException($"{source} holds an unknown model kind '{config.Kind}'. " +
                (known.Count == 0 ? "No model families are registered." : $"Known kinds: {string.Join(", ", known)}."));
        }
        // Read and validate the weights before building anything.
        var weightBytes = ReadEntry(zip, WeightsEntry, SafeTensorsFormat.DefaultMaxFileLength, source);
        SafeTensorsFile weights;
        try { weights = SafeTensorsFormat.Read(weightBytes); }
        catch (InvalidDataException ex) { throw new InvalidDataException($"{source}: {WeightsEntry} is damaged: {ex.Message}", ex); }
        if (!options.AllowNonFiniteWeights) RejectSuspectWeights(weights, source);
        CheckSizeBeforeBuilding(family, config, weights, source);

        IPersistableModel? model = null;
        try
        {
            try { model = family.Create(config, device) ?? throw new InvalidDataException($"{source}: the '{config.Kind}' family built no model."); }
            catch (ArgumentException ex) { throw new InvalidDataException($"{source}: the options in {ConfigEntry} are not valid for '{config.Kind}': {ex.Message}", ex); }
            catch (InvalidDataException ex) when (!ex.Message.StartsWith(source, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{source}: {ex.Message}", ex);
            }
            if (model.Kind != config.Kind || model.LatentDim != config.LatentDim || !model.SampleShape.SequenceEqual(config.SampleShape))
                throw new InvalidDataException(
                    $"{source}: {ConfigEntry} describes a '{config.Kind}' model with latent dimension {config.LatentDim} and samples [{string.Join(", ", config.SampleShape)}], " +
                    $"but its options build a '{model.Kind}' model with latent dimension {model.LatentDim} and samples [{string.Join(", ", model.SampleShape)}].");
            CheckWeights(weights, model.StateDict(), source);
            LoadWeights(model, weights, source);
            model.SetTraining(false);
            return model;
        }
        catch
        {
            model?.Dispose();
            throw;
        }
    }

    /// <summary>Reads the configuration and weight statistics of a model file without building the model.</summary>
    /// <exception cref="InvalidDataException">The file is damaged or from a newer version.</exception>
    public static ModelInfo ReadInfo(string path) => ReadInfo(path, ModelLoadOptions.Default);

    /// <summary>
    /// Reads the configuration and weight statistics of a model file without building the model. The weights' values
    /// and the history are checked as <see cref="Load(string, ModelLoadOptions, Device?, ModelRegistry?)"/> checks them;
    /// the kind is not (no family is needed).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is damaged, from a newer version, holds suspect weights (unless <paramref name="options"/> allow them) or a damaged history.</exception>
    public static ModelInfo ReadInfo(string path, ModelLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var stream = OpenFile(path);
        var source = $"Model file '{path}'";
        using var zip = OpenZip(stream, source);
        var config = ParseConfig(ReadEntry(zip, ConfigEntry, MaxConfigBytes, source), source);
        var bytes = ReadEntry(zip, WeightsEntry, SafeTensorsFormat.DefaultMaxFileLength, source);
        SafeTensorsFile weights;
        try { weights = SafeTensorsFormat.Read(bytes); }
        catch (InvalidDataException ex) { throw new InvalidDataException($"{source}: {WeightsEntry} is damaged: {ex.Message}", ex); }
        var (suspect, first) = WeightValueScan.Scan(weights);
        if (suspect > 0 && !options.AllowNonFiniteWeights) throw SuspectWeights(suspect, first!, source);
        long count = weights.Entries.Values.Sum(e => e.ElementCount);
        var history = zip.GetEntry(HistoryEntry) is null ? null : ParseHistory(ReadEntry(zip, HistoryEntry, MaxHistoryBytes, source), source);
        return new ModelInfo(config, count, weights.Entries.Count, bytes.LongLength, history is not null)
        {
            SuspectWeightCount = suspect,
            HistoryRowCount = history?.Rows.Count ?? 0,
        };
    }

    /// <summary>The training history stored in a model file, or null when it has none.</summary>
    public static TrainingHistory? ReadHistory(string path)
    {
        using var stream = OpenFile(path);
        var source = $"Model file '{path}'";
        using var zip = OpenZip(stream, source);
        if (zip.GetEntry(HistoryEntry) is null) return null;
        return ParseHistory(ReadEntry(zip, HistoryEntry, MaxHistoryBytes, source), source);
    }

    private static TrainingHistory ParseHistory(byte[] bytes, string source)
    {
        try { return TrainingHistory.ReadCsv(new MemoryStream(bytes)); }
        catch (InvalidDataException ex) { throw new InvalidDataException($"{source}: {HistoryEntry} is damaged: {ex.Message}", ex); }
    }

    // ---- validation helpers

    private static FileStream OpenFile(string path)
    {
        // A FIFO or device given as the model would block or never end: refuse it before opening.
        RegularFile.Ensure(path, "Model file");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
    }

    private static ZipArchive OpenZip(Stream stream, string source)
    {
        ZipArchive zip;
        try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (Exception ex) when (ex is InvalidDataException or IOException or ArgumentException)
        {
            throw new InvalidDataException($"{source} is not a model file: it is not a readable zip archive ({ex.Message})", ex);
        }
        // Readers disagree on which of two same-named entries counts (.NET takes the first, Python the last):
        // one file would be two models. Refuse any repeated name.
        var repeated = zip.Entries.GroupBy(e => e.FullName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (repeated is not null)
        {
            zip.Dispose();
            throw new InvalidDataException($"{source} is not a valid model file: it holds {repeated.Count()} entries named '{repeated.Key}'.");
        }
        return zip;
    }

    private static byte[] ReadEntry(ZipArchive zip, string name, long maxBytes, string source)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"{source} has no {name}.");
        if (entry.Length > maxBytes)
            throw new InvalidDataException($"{source}: {name} declares {entry.Length} bytes, more than the limit of {maxBytes}.");
        try
        {
            using var s = entry.Open();
            using var ms = new MemoryStream((int)Math.Min(entry.Length, int.MaxValue));
            var buffer = new byte[81920];
            int n;
            // The declared length may lie; count what is actually inflated.
            while ((n = s.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (ms.Length + n > maxBytes) throw new InvalidDataException($"{name} is larger than the limit of {maxBytes} bytes.");
                ms.Write(buffer, 0, n);
            }
            if (ms.Length != entry.Length)
                throw new InvalidDataException($"{name} holds {ms.Length} bytes but the archive declares {entry.Length}.");
            var bytes = ms.ToArray();
            if (Crc32.Compute(bytes) != entry.Crc32)
                throw new InvalidDataException($"the checksum of {name} does not match its content.");
            return bytes;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            throw new InvalidDataException($"{source}: {name} is damaged or truncated: {ex.Message}", ex);
        }
    }

    /// <summary>Parses and validates config.json text.</summary>
    /// <exception cref="InvalidDataException">The JSON is invalid, lacks a field, or is from a newer format.</exception>
    public static ModelConfig ParseConfig(byte[] json, string source = "Model configuration")
    {
        ArgumentNullException.ThrowIfNull(json);
        InvalidDataException Bad(string why) => new($"{source}: {ConfigEntry} {why}");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 }); }
        catch (JsonException ex) { throw new InvalidDataException($"{source}: {ConfigEntry} is not valid JSON: {ex.Message}", ex); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad("must hold a JSON object.");
            JsonElement Field(string name, JsonValueKind kind)
            {
                if (!root.TryGetProperty(name, out var v)) throw Bad($"lacks the '{name}' field.");
                if (v.ValueKind != kind) throw Bad($"has '{name}' of type {v.ValueKind}; expected {kind}.");
                return v;
            }
            var versionEl = Field("formatVersion", JsonValueKind.Number);
            if (!versionEl.TryGetInt32(out var version) || version < 1) throw Bad($"has an invalid formatVersion {versionEl.GetRawText()}.");
            if (version > FormatVersion)
                throw Bad($"has format version {version}, written by a newer library (version {Str(root, "libraryVersion")}); this library reads up to format version {FormatVersion}.");
            var kind = Field("kind", JsonValueKind.String).GetString()!;
            if (string.IsNullOrWhiteSpace(kind)) throw Bad("has an empty 'kind'.");
            var options = Field("options", JsonValueKind.Object).Clone();
            var shapeEl = Field("sampleShape", JsonValueKind.Array);
            var shape = new List<long>();
            foreach (var d in shapeEl.EnumerateArray())
            {
                if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var v) || v < 1)
                    throw Bad($"has an invalid sampleShape {shapeEl.GetRawText()}: dimensions must be positive integers.");
                shape.Add(v);
            }
            if (shape.Count is 0 or > 8) throw Bad($"has an invalid sampleShape {shapeEl.GetRawText()}: 1 to 8 dimensions expected.");
            var latentEl = Field("latentDim", JsonValueKind.Number);
            if (!latentEl.TryGetInt32(out var latent) || latent < 1) throw Bad($"has an invalid latentDim {latentEl.GetRawText()}.");
            DateTime created = default;
            if (root.TryGetProperty("createdUtc", out var c) && c.ValueKind != JsonValueKind.Null)
            {
                if (c.ValueKind != JsonValueKind.String ||
                    !DateTime.TryParse(c.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out created))
                    throw Bad($"has an invalid createdUtc {c.GetRawText()}.");
            }
            return new ModelConfig
            {
                FormatVersion = version,
                Kind = kind,
                Options = options,
                SampleShape = shape.ToArray(),
                LatentDim = latent,
                LibraryVersion = Str(root, "libraryVersion"),
                CreatedUtc = created,
            };
        }
    }

    private static string Str(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() ?? "" : "";

    private static void RejectSuspectWeights(SafeTensorsFile weights, string source)
    {
        var (count, first) = WeightValueScan.Scan(weights);
        if (count > 0) throw SuspectWeights(count, first!, source);
    }

    private static InvalidDataException SuspectWeights(long count, string first, string source) =>
        new($"{source}: {WeightsEntry} holds {count:N0} non-finite or absurd value(s) (NaN, ±Inf or |w| > {ModelLoadOptions.MaxAbsWeight:G0}); " +
            $"the first: {first}. The model would compute NaN; load it with {nameof(ModelLoadOptions.AllowNonFiniteWeights)} (vae info --allow-nonfinite) only to inspect it.");

    /// <summary>
    /// Compares the size the configuration implies with the weights' header before any module exists, so that an edited
    /// config.json (hidden sizes [30000, 30000]) cannot make loading allocate gigabytes only to fail the shape check.
    /// </summary>
    private static void CheckSizeBeforeBuilding(IModelFamily family, ModelConfig config, SafeTensorsFile weights, string source)
    {
        long? needed;
        try { needed = family.MinimumWeightCount(config); }
        catch (Exception ex) when (ex is ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"{source}: the options in {ConfigEntry} are not valid for '{config.Kind}': {ex.Message}", ex);
        }
        catch (InvalidDataException ex) when (!ex.Message.StartsWith(source, StringComparison.Ordinal)) { throw new InvalidDataException($"{source}: {ex.Message}", ex); }
        if (needed is not long n) return;
        long stored = weights.Entries.Values.Sum(e => e.ElementCount);
        if (n > stored)
            throw new InvalidDataException(
                $"{source}: {ConfigEntry} describes a '{config.Kind}' model with at least {n:N0} weights, but {WeightsEntry} holds {stored:N0}; " +
                "the configuration does not match the weights (checked before building the model).");
    }

    private static void CheckWeights(SafeTensorsFile weights, IReadOnlyDictionary<string, Tensor> expected, string source)
    {
        var missing = expected.Keys.Where(k => !weights.Entries.ContainsKey(k)).ToList();
        var unexpected = weights.Entries.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            throw new InvalidDataException(
                $"{source}: {WeightsEntry} does not match the architecture: missing [{Short(missing)}], unexpected [{Short(unexpected)}].");
        foreach (var (name, t) in expected)
        {
            var e = weights.Entries[name];
            var shape = t.shape;
            if (!e.Shape.SequenceEqual(shape))
                throw new InvalidDataException($"{source}: weight '{name}' has shape [{string.Join(", ", e.Shape)}]; the architecture expects [{string.Join(", ", shape)}].");
            if (e.DType != t.dtype)
                throw new InvalidDataException($"{source}: weight '{name}' has dtype {e.DType}; the architecture expects {t.dtype}.");
        }
    }

    private static void LoadWeights(IPersistableModel model, SafeTensorsFile weights, string source)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            foreach (var (name, e) in weights.Entries)
                tensors[name] = TensorData.FromBytes(e.Data.Span, e.Shape, e.DType).DetachFromDisposeScope();
            model.LoadStateDict(tensors, strict: true);
        }
        // TorchSharp reports libtorch's errors as ExternalException and its own key checks as InvalidOperationException.
        catch (Exception ex) when (ex is ArgumentException or ExternalException or InvalidOperationException)
        {
            throw new InvalidDataException($"{source}: the weights could not be loaded: {ex.Message}", ex);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
    }

    private static string Short(List<string> names) =>
        names.Count <= 8 ? string.Join(", ", names) : string.Join(", ", names.Take(8)) + $", … ({names.Count} in all)";

    private static string LibraryVersion =>
        typeof(ModelStore).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(ModelStore).Assembly.GetName().Version?.ToString() ?? "";

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
            RespectNullableAnnotations = true,
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false) },
        };
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }
}
