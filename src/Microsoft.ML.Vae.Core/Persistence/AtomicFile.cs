using System.Diagnostics;

namespace Microsoft.ML.Vae.Core.Persistence;

/// <summary>
/// Writes files so that readers see either the old content or the complete new content, never a
/// partial file: the data goes to a temporary file <c>.&lt;name&gt;.&lt;guid&gt;.tmp</c> in the same folder,
/// is flushed to disk, and the temporary file is then renamed over the target. Every file the library
/// and the tool write (model files, checkpoints, pictures, CSV, JSON, SVG) goes through here.
/// </summary>
/// <remarks>
/// A failed write (full disk, no permission, an exception of the writer) deletes the temporary file,
/// leaves the previous target untouched and raises <see cref="IOException"/> naming the target (other
/// exceptions of the writer pass through unchanged). A process killed mid-write can leave its temporary
/// file behind; the next write of the same target removes such leftovers when they are older than the
/// current process (younger ones may belong to a concurrent writer and are left alone).
/// </remarks>
public static class AtomicFile
{
    private const string TemporaryExtension = ".tmp";
    private static readonly Lazy<DateTime> ProcessStartUtc = new(() =>
    {
        try { return Process.GetCurrentProcess().StartTime.ToUniversalTime(); }
        catch (Exception ex) when (ex is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return DateTime.UtcNow; // unknown: treat only files from before now as stale
        }
    });

    // Tests put a failing stream between the writer and the file; flows with the calling context only.
    private static readonly AsyncLocal<Func<string, Stream, Stream>?> Interceptor = new();

    /// <summary>Writes <paramref name="path"/> atomically through <paramref name="write"/>; the folder is created when missing.</summary>
    /// <exception cref="IOException">The file could not be written; the previous file is unchanged.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no parent folder.", nameof(path));
        var name = Path.GetFileName(full);
        if (name.Length == 0) throw new ArgumentException($"'{path}' names a folder, not a file.", nameof(path));
        if (Directory.Exists(full)) throw new IOException($"cannot write '{path}': it is a folder.");
        string? temp = null;
        try
        {
            Directory.CreateDirectory(dir);
            RemoveStaleTemporaries(dir, name);
            // Same folder, so the final rename never crosses file systems.
            temp = Path.Combine(dir, $".{name}.{Guid.NewGuid():N}{TemporaryExtension}");
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                var target = Interceptor.Value?.Invoke(full, fs) ?? fs;
                write(target);
                target.Flush();
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception ex)
        {
            if (temp is not null) TryDelete(temp);
            if (ex is IOException or UnauthorizedAccessException)
                throw new IOException($"cannot write '{path}': {ex.Message} (any previous file is unchanged)", ex);
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    /// <exception cref="IOException">The file could not be written; the previous file is unchanged.</exception>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, s => s.Write(bytes));
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark to <paramref name="path"/> atomically.</summary>
    /// <exception cref="IOException">The file could not be written; the previous file is unchanged.</exception>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text));
    }

    /// <summary>True when <paramref name="fileName"/> is a temporary file of this class for the target <paramref name="target"/> (file names only).</summary>
    public static bool IsTemporaryFor(string fileName, string target)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(target);
        // "." + target + "." + 32 hex digits + ".tmp"
        int expected = 1 + target.Length + 1 + 32 + TemporaryExtension.Length;
        if (fileName.Length != expected || fileName[0] != '.') return false;
        if (!fileName.AsSpan(1, target.Length).SequenceEqual(target) || fileName[1 + target.Length] != '.') return false;
        if (!fileName.EndsWith(TemporaryExtension, StringComparison.Ordinal)) return false;
        foreach (char c in fileName.AsSpan(2 + target.Length, 32))
            if (!char.IsAsciiHexDigit(c)) return false;
        return true;
    }

    /// <summary>
    /// Deletes temporary files left for <paramref name="target"/> in <paramref name="folder"/> by writers that
    /// were killed: those last written before the current process started. Best effort; returns the count removed.
    /// </summary>
    public static int RemoveStaleTemporaries(string folder, string target)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentException.ThrowIfNullOrEmpty(target);
        if (!Directory.Exists(folder)) return 0;
        int removed = 0;
        var startedUtc = ProcessStartUtc.Value;
        try
        {
            foreach (var file in Directory.EnumerateFiles(folder, "." + "*" + TemporaryExtension))
            {
                if (!IsTemporaryFor(Path.GetFileName(file), target)) continue;
                try
                {
                    if (File.GetLastWriteTimeUtc(file) >= startedUtc) continue;
                    File.Delete(file);
                    removed++;
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return removed;
    }

    /// <summary>
    /// Routes the writes of this context through <paramref name="wrap"/> (given the target's full path and the
    /// temporary file's stream) until disposed: fault-injection tests.
    /// </summary>
    internal static IDisposable InterceptForTesting(Func<string, Stream, Stream> wrap)
    {
        ArgumentNullException.ThrowIfNull(wrap);
        var previous = Interceptor.Value;
        Interceptor.Value = wrap;
        return new Restore(() => Interceptor.Value = previous);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
