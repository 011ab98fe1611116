namespace Microsoft.ML.Vae.Core.Imaging;

/// <summary>The file formats pictures are written in.</summary>
public enum ImageFileFormat
{
    /// <summary>Lossless PNG.</summary>
    Png,

    /// <summary>JPEG at quality 95 (lossy; an alpha channel is dropped).</summary>
    Jpeg,
}

/// <summary>Chooses a picture's file format from its name, so a file never holds another format than its name says.</summary>
public static class ImageFileFormats
{
    /// <summary>The extensions pictures can be written with.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg"];

    /// <summary>The format a file name asks for, or null for other extensions.</summary>
    public static ImageFileFormat? TryFromPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => ImageFileFormat.Png,
            ".jpg" or ".jpeg" => ImageFileFormat.Jpeg,
            _ => null,
        };
    }

    /// <summary>The format a file name asks for: PNG for .png, JPEG for .jpg and .jpeg (any case).</summary>
    /// <exception cref="ArgumentException">The name has another extension (or none).</exception>
    public static ImageFileFormat FromPath(string path) =>
        TryFromPath(path) ?? throw new ArgumentException(
            $"'{path}': pictures are written as {string.Join(", ", Extensions)}; the name's extension '{Path.GetExtension(path)}' names none of them.", nameof(path));
}
