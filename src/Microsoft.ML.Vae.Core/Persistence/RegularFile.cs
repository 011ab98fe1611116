namespace Microsoft.ML.Vae.Core.Persistence;

/// <summary>
/// Refuses paths that are not regular files before they are opened: opening a FIFO blocks until a writer
/// comes (forever, for a stray pipe named <c>a.png</c>), and a device such as <c>/dev/zero</c> never ends.
/// </summary>
/// <remarks>
/// .NET reports FIFOs, sockets and character devices on Unix as <see cref="FileAttributes.Normal"/> files with
/// length 0 (it has no "is regular" test), so a zero length is refused as well: every file this library reads
/// (model files, images, IDX files) is invalid when empty anyway. Windows marks devices with
/// <see cref="FileAttributes.Device"/>. Symbolic links are followed to their final target (a link reports its own
/// length): a link to a regular file is accepted, a link to a FIFO is not.
/// </remarks>
public static class RegularFile
{
    /// <summary>Throws unless <paramref name="path"/> names an existing, non-empty regular file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">How messages name it, e.g. "Model file".</param>
    /// <exception cref="FileNotFoundException">Nothing exists at <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">It is a folder, a device, or empty / not a regular file (a pipe or socket).</exception>
    public static void Ensure(string path, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(what);
        if (Directory.Exists(path)) throw new InvalidDataException($"{what} '{path}' is a folder, not a file.");
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"{what} '{path}' does not exist.", path);
        // A link reports its own attributes and length (that of the target's name): judge what it finally points to.
        if (info.LinkTarget is not null)
        {
            FileSystemInfo? target;
            try { target = File.ResolveLinkTarget(path, returnFinalTarget: true); }
            catch (IOException ex) { throw new InvalidDataException($"{what} '{path}' is a symbolic link that cannot be resolved: {ex.Message}", ex); }
            if (target is null || !target.Exists) throw new FileNotFoundException($"{what} '{path}' is a symbolic link to a file that does not exist.", path);
            info = target as FileInfo ?? new FileInfo(target.FullName);
        }
        if ((info.Attributes & FileAttributes.Device) != 0)
            throw new InvalidDataException($"{what} '{path}' is a device, not a regular file; it is not read.");
        if (info.Length == 0)
            throw new InvalidDataException($"{what} '{path}' is empty or is not a regular file (a pipe, socket or device); it is not read.");
    }
}
