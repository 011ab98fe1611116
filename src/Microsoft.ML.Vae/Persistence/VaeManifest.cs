using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Vae.Persistence;

/// <summary>
/// The index of the VAE entries inside an ML.NET .zip: which mappings were saved, in the order ML.NET
/// called their Save (which is the order it reloads them in), and which model file each one uses.
/// Stored as <see cref="EntryName"/>; models are stored as core model files under <see cref="ModelFolder"/>.
/// </summary>
internal sealed class VaeManifest
{
    /// <summary>Folder of every entry this library adds to an ML.NET .zip.</summary>
    public const string Folder = "Microsoft.ML.Vae/";

    /// <summary>The manifest entry.</summary>
    public const string EntryName = Folder + "manifest.json";

    /// <summary>Folder of the model files.</summary>
    public const string ModelFolder = Folder + "models/";

    /// <summary>Layout version written; higher versions are rejected.</summary>
    public const int CurrentFormatVersion = 1;

    private const long MaxManifestBytes = 1 << 20;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Layout version.</summary>
    public int FormatVersion { get; set; } = CurrentFormatVersion;

    /// <summary>The saved mappings, in save order.</summary>
    public List<Entry> Mappings { get; set; } = [];

    /// <summary>One saved mapping.</summary>
    public sealed class Entry
    {
        /// <summary>Component name (see <see cref="MappingSettings"/>).</summary>
        public string Component { get; set; } = "";

        /// <summary>Contract name.</summary>
        public string Contract { get; set; } = "";

        /// <summary>Zip entry of the model file.</summary>
        public string Model { get; set; } = "";

        /// <summary>Input scale.</summary>
        public float InputScale { get; set; } = 1;

        /// <summary>Output scale.</summary>
        public float OutputScale { get; set; } = 1;

        /// <summary>Gray-to-RGB expansion.</summary>
        public bool ExpandGrayscaleToRgb { get; set; }

        /// <summary>The settings this entry describes.</summary>
        public MappingSettings ToSettings() => new(Component, Contract, InputScale, OutputScale, ExpandGrayscaleToRgb);
    }

    /// <summary>Writes the manifest entry.</summary>
    public void Write(ZipArchive zip)
    {
        var entry = zip.CreateEntry(EntryName, CompressionLevel.Optimal);
        using var s = entry.Open();
        JsonSerializer.Serialize(s, this, Json);
    }

    /// <summary>Reads the manifest of <paramref name="zip"/>, or null when the file has none (saved without this library's helper).</summary>
    /// <exception cref="InvalidDataException">The manifest is damaged or from a newer version.</exception>
    public static VaeManifest? Read(ZipArchive zip, string source)
    {
        var entry = zip.GetEntry(EntryName);
        if (entry is null) return null;
        if (entry.Length > MaxManifestBytes)
            throw new InvalidDataException($"{source}: {EntryName} declares {entry.Length} bytes, more than the limit of {MaxManifestBytes}.");
        VaeManifest? manifest;
        try
        {
            using var s = entry.Open();
            manifest = JsonSerializer.Deserialize<VaeManifest>(s, Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: {EntryName} is not valid: {ex.Message}", ex);
        }
        if (manifest is null) throw new InvalidDataException($"{source}: {EntryName} is empty.");
        if (manifest.FormatVersion < 1 || manifest.FormatVersion > CurrentFormatVersion)
            throw new InvalidDataException(
                $"{source}: {EntryName} has format version {manifest.FormatVersion}; this library reads versions 1 to {CurrentFormatVersion}.");
        foreach (var m in manifest.Mappings)
        {
            if (string.IsNullOrEmpty(m.Contract) || !m.Model.StartsWith(ModelFolder, StringComparison.Ordinal) || zip.GetEntry(m.Model) is null)
                throw new InvalidDataException($"{source}: {EntryName} lists a mapping '{m.Contract}' whose model entry '{m.Model}' is missing.");
            if (!float.IsFinite(m.InputScale) || m.InputScale == 0 || !float.IsFinite(m.OutputScale))
                throw new InvalidDataException($"{source}: {EntryName} lists mapping '{m.Contract}' with invalid scales.");
        }
        return manifest;
    }
}
