using System.IO.Compression;

namespace Microsoft.ML.Vae.TestSupport;

/// <summary>Reads and rewrites model.zip files entry by entry, for the corrupt- and hostile-file tests.</summary>
internal static class ZipTestFiles
{
    /// <summary>The entries of a zip, in order (a repeated name appears twice).</summary>
    public static List<(string Name, byte[] Bytes)> ReadEntries(byte[] file)
    {
        using var zip = new ZipArchive(new MemoryStream(file), ZipArchiveMode.Read);
        var list = new List<(string, byte[])>();
        foreach (var e in zip.Entries)
        {
            using var s = e.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            list.Add((e.FullName, ms.ToArray()));
        }
        return list;
    }

    /// <summary>Writes entries (stored, uncompressed) into a new zip; repeated names are kept.</summary>
    public static byte[] WriteEntries(IEnumerable<(string Name, byte[] Bytes)> entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                s.Write(bytes);
            }
        }
        return ms.ToArray();
    }
}
