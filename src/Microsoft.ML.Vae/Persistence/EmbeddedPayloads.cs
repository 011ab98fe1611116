using System.IO.Compression;
using Microsoft.ML.Data;

namespace Microsoft.ML.Vae.Persistence;

/// <summary>
/// Finds the embedded models in an ML.NET model file without loading the model: ML.NET's value-mapping
/// transform stores its lookup table as a binary IDataView entry named "DefaultMap.idv", readable with the public
/// <c>LoadFromBinary</c>; the text values that start with <see cref="EmbeddedModel.Header"/> are the payloads.
/// </summary>
internal static class EmbeddedPayloads
{
    private const string TableEntrySuffix = "DefaultMap.idv";

    /// <summary>The payload texts, in the order of the archive's entries.</summary>
    /// <exception cref="InvalidDataException">A table cannot be read.</exception>
    public static IEnumerable<string> Read(MLContext mlContext, ZipArchive zip, string source)
    {
        foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(TableEntrySuffix, StringComparison.Ordinal)).ToList())
        {
            byte[] bytes;
            try
            {
                using var s = entry.Open();
                using var ms = new MemoryStream();
                s.CopyTo(ms);
                bytes = ms.ToArray();
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{source}: entry '{entry.FullName}' is damaged: {ex.Message}", ex);
            }
            foreach (var text in ReadTable(mlContext, bytes, entry.FullName, source))
                yield return text;
        }
    }

    private static List<string> ReadTable(MLContext mlContext, byte[] bytes, string entryName, string source)
    {
        var found = new List<string>();
        try
        {
            var view = mlContext.Data.LoadFromBinary(new BytesSource(bytes));
            foreach (var column in view.Schema.Where(c => c.Type is TextDataViewType))
                foreach (var value in view.GetColumn<ReadOnlyMemory<char>>(column))
                    if (EmbeddedModel.IsPayload(value.Span)) found.Add(value.ToString());
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new InvalidDataException($"{source}: the lookup table '{entryName}' cannot be read: {ex.Message}", ex);
        }
        return found;
    }

    /// <summary>One in-memory stream for LoadFromBinary.</summary>
    private sealed class BytesSource(byte[] bytes) : IMultiStreamSource
    {
        public int Count => 1;

        public string? GetPathOrNull(int index) => null;

        public Stream Open(int index) => new MemoryStream(bytes, writable: false);

        public TextReader OpenTextReader(int index) => new StreamReader(Open(index));
    }
}
