using System.IO.Compression;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Persistence;

namespace Microsoft.ML.Vae.Persistence;

/// <summary>
/// Collects the mappings that ML.NET saves while <see cref="VaeModelFile.Save(MLContext, ITransformer, DataViewSchema, string)"/>
/// runs <c>mlContext.Model.Save</c> on this thread, then writes their models and manifest into the .zip.
/// </summary>
internal sealed class VaeSaveSession : IDisposable
{
    [ThreadStatic] private static VaeSaveSession? _current;

    private readonly List<MappingPayload> _mappings = [];

    private VaeSaveSession()
    {
    }

    /// <summary>Opens the session of this thread.</summary>
    /// <exception cref="InvalidOperationException">A session is already open (a save inside a save).</exception>
    public static VaeSaveSession Begin()
    {
        if (_current is not null) throw new InvalidOperationException("A VAE model is already being saved on this thread.");
        return _current = new VaeSaveSession();
    }

    /// <summary>Records a mapping; called from the transformers' Save in the order ML.NET saves them.</summary>
    /// <exception cref="InvalidOperationException">No session is open: the model is being saved with mlContext.Model.Save.</exception>
    public static void Record(MappingPayload payload)
    {
        var session = _current ?? throw new InvalidOperationException(
            "A VAE transformer is being saved without its weights. Save the model with " +
            "Microsoft.ML.Vae.VaeModelFile.Save(mlContext, model, inputSchema, path) instead of mlContext.Model.Save, " +
            "and load it with VaeModelFile.Load.");
        session._mappings.Add(payload);
    }

    /// <summary>Writes each distinct model once and the manifest into <paramref name="zip"/>.</summary>
    public void WriteTo(ZipArchive zip)
    {
        var manifest = new VaeManifest();
        var modelEntries = new Dictionary<IVaeModel, string>(ReferenceEqualityComparer.Instance);
        foreach (var (settings, model) in _mappings)
        {
            if (!modelEntries.TryGetValue(model, out var name))
            {
                name = $"{VaeManifest.ModelFolder}{modelEntries.Count}.zip";
                modelEntries.Add(model, name);
                // Float weights barely compress; the core file is written as is.
                var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
                using var s = entry.Open();
                using var buffer = new MemoryStream();
                ModelStore.Save(model, buffer);
                buffer.Position = 0;
                buffer.CopyTo(s);
            }
            manifest.Mappings.Add(new VaeManifest.Entry
            {
                Component = settings.Component,
                Contract = settings.Contract,
                Model = name,
                InputScale = settings.InputScale,
                OutputScale = settings.OutputScale,
                ExpandGrayscaleToRgb = settings.ExpandGrayscaleToRgb,
            });
        }
        manifest.Write(zip);
    }

    /// <summary>Closes the session.</summary>
    public void Dispose()
    {
        if (ReferenceEquals(_current, this)) _current = null;
    }
}
