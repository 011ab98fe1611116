using System.Text;
using System.Text.Json;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Persistence;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Persistence;

/// <summary>
/// The text that carries a VAE inside an ML.NET model file. ML.NET's public API persists nothing of a custom
/// mapping but its contract name, so the weights travel as data instead: a built-in value-mapping transform
/// (which saves its lookup table in the .zip) maps a constant key to this text, and the mapping reads it from
/// its input row. The text is a header line, a JSON line with the <see cref="MappingSettings"/>, and the core
/// model file (config + safetensors) in base64.
/// </summary>
internal static class EmbeddedModel
{
    /// <summary>First line of every payload; the number is the payload format version.</summary>
    public const string Header = "Microsoft.ML.Vae.EmbeddedModel/1";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The payload of <paramref name="model"/> with <paramref name="settings"/>.</summary>
    public static string Encode(MappingSettings settings, IVaeModel model)
    {
        using var buffer = new MemoryStream();
        ModelStore.Save(model, buffer);
        return new StringBuilder()
            .Append(Header).Append('\n')
            .Append(JsonSerializer.Serialize(settings, Json)).Append('\n')
            .Append(Convert.ToBase64String(buffer.GetBuffer(), 0, checked((int)buffer.Length)))
            .ToString();
    }

    /// <summary>Whether <paramref name="text"/> starts like a payload (cheap; used to find payloads in a .zip).</summary>
    public static bool IsPayload(ReadOnlySpan<char> text) => text.StartsWith(Header + "\n", StringComparison.Ordinal);

    /// <summary>Loads the model of a payload onto <paramref name="device"/>; the caller owns it.</summary>
    /// <exception cref="InvalidDataException">The payload is missing, damaged or of a newer format.</exception>
    public static LoadedMapping Decode(ReadOnlySpan<char> text, Device device, string source)
    {
        if (text.IsEmpty)
            throw new InvalidDataException($"{source}: the VAE mapping received no embedded model; the model file is damaged or was not saved by this library.");
        int first = text.IndexOf('\n');
        if (first < 0 || !text[..first].SequenceEqual(Header))
        {
            string found = first < 0 ? "no header" : $"header '{Truncate(text[..first])}'";
            throw new InvalidDataException(
                $"{source}: the embedded VAE model has {found}, expected '{Header}'. The file is damaged or was written by a newer version of Microsoft.ML.Vae; update the package.");
        }
        var rest = text[(first + 1)..];
        int second = rest.IndexOf('\n');
        if (second < 0) throw new InvalidDataException($"{source}: the embedded VAE model is truncated (no settings line).");
        MappingSettings settings;
        try
        {
            settings = JsonSerializer.Deserialize<MappingSettings>(rest[..second].ToString(), Json)
                ?? throw new InvalidDataException($"{source}: the embedded VAE model's settings are empty.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: the embedded VAE model's settings are not valid: {ex.Message}", ex);
        }
        if (!float.IsFinite(settings.InputScale) || settings.InputScale == 0 || !float.IsFinite(settings.OutputScale))
            throw new InvalidDataException($"{source}: the embedded VAE model's settings hold invalid scales.");
        var base64 = rest[(second + 1)..];
        var bytes = new byte[base64.Length / 4 * 3 + 3];
        if (!Convert.TryFromBase64Chars(base64, bytes, out int length))
            throw new InvalidDataException($"{source}: the embedded VAE model's weights are damaged (not valid base64).");
        IVaeModel model;
        try
        {
            model = ModelStore.Load(new MemoryStream(bytes, 0, length, writable: false), device);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException or JsonException or ArgumentException or IOException)
        {
            throw new InvalidDataException($"{source}: the embedded VAE model cannot be read: {ex.Message}", ex);
        }
        return new LoadedMapping(settings, model);
    }

    private static string Truncate(ReadOnlySpan<char> s) => s.Length <= 60 ? s.ToString() : s[..60].ToString() + "…";
}
