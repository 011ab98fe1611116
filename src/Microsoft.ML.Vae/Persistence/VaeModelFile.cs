using System.IO.Compression;
using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Persistence;
using Microsoft.ML.Vae.Runtime;

namespace Microsoft.ML.Vae;

/// <summary>
/// Saves and loads ML.NET models that contain VAE transformers. The .zip is ML.NET's own model file,
/// readable by <c>mlContext.Model.Load</c> for everything but the VAE mappings; the VAE weights travel in
/// the same file as extra entries under <c>Microsoft.ML.Vae/</c> (core model files plus a manifest), which
/// ML.NET ignores. Use these helpers instead of <c>mlContext.Model.Save</c>/<c>Load</c> whenever a pipeline
/// holds a featurizer or reconstruction transformer; for other pipelines they behave like ML.NET's.
/// </summary>
/// <remarks>
/// Loading places the models on the device that the passed context's <see cref="MLContext.GpuDeviceId"/> and
/// <see cref="MLContext.FallbackToCpu"/> select. Reloaded VAE transforms are ML.NET custom mappings (not this
/// library's transformer types); <see cref="Load(MLContext, string)"/> returns the loaded VAEs as well, for
/// evaluation and for releasing their native memory early.
/// </remarks>
public static class VaeModelFile
{
    /// <summary>Saves <paramref name="model"/> with its input schema to the file <paramref name="path"/> (written atomically).</summary>
    /// <exception cref="ArgumentException">A VAE in the model cannot be saved.</exception>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var bytes = SaveToBytes(mlContext, model, inputSchema);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Saves <paramref name="model"/> with its input schema to <paramref name="stream"/> (left open).</summary>
    public static void Save(MLContext mlContext, ITransformer model, DataViewSchema inputSchema, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var bytes = SaveToBytes(mlContext, model, inputSchema);
        stream.Write(bytes);
    }

    /// <summary>Loads a model saved by <see cref="Save(MLContext, ITransformer, DataViewSchema, string)"/> (or by ML.NET, when it holds no VAE).</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The VAE entries are damaged or do not match the ML.NET model.</exception>
    public static ITransformer Load(MLContext mlContext, string path, out DataViewSchema inputSchema)
    {
        var loaded = Load(mlContext, path);
        inputSchema = loaded.InputSchema;
        return loaded.Transformer;
    }

    /// <summary>Loads a model from <paramref name="stream"/> (seekable; left open).</summary>
    public static ITransformer Load(MLContext mlContext, Stream stream, out DataViewSchema inputSchema)
    {
        var loaded = Load(mlContext, stream);
        inputSchema = loaded.InputSchema;
        return loaded.Transformer;
    }

    /// <summary>Loads a model file and returns it together with the VAEs it holds.</summary>
    public static VaeLoadedModel Load(MLContext mlContext, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.", path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return LoadCore(mlContext, stream, $"Model file '{path}'");
    }

    /// <summary>Loads a model from <paramref name="stream"/> (seekable; left open) together with the VAEs it holds.</summary>
    public static VaeLoadedModel Load(MLContext mlContext, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek) throw new ArgumentException("The model stream must be seekable.", nameof(stream));
        return LoadCore(mlContext, stream, "Model stream");
    }

    /// <summary>
    /// The VAE transformers of a fitted (not reloaded) model: <paramref name="model"/> itself or, for
    /// transformer chains, every VAE transformer inside it, in pipeline order.
    /// </summary>
    public static IReadOnlyList<VaeMappingTransformer> FindTransformers(ITransformer model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var found = new List<VaeMappingTransformer>();
        Collect(model, found);
        return found;
    }

    private static void Collect(ITransformer model, List<VaeMappingTransformer> found)
    {
        if (model is VaeMappingTransformer vae) found.Add(vae);
        else if (model is IEnumerable<ITransformer> chain)
            foreach (var t in chain) Collect(t, found);
    }

    private static byte[] SaveToBytes(MLContext mlContext, ITransformer model, DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputSchema);
        using var buffer = new MemoryStream();
        using (var session = VaeSaveSession.Begin())
        {
            mlContext.Model.Save(model, inputSchema, buffer);
            // ML.NET has written its archive; the VAE entries are appended to it.
            buffer.Position = 0;
            using var zip = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true);
            session.WriteTo(zip);
        }
        return buffer.ToArray();
    }

    private static VaeLoadedModel LoadCore(MLContext mlContext, Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        // Loading may be the process's first libtorch call (idempotent; see TorchRuntime).
        TorchRuntime.ConfigureThreadingEnvironment();
        var device = ContextDevice.Resolve(mlContext);
        long start = stream.Position;
        VaeManifest? manifest;
        ZipArchive zip;
        try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException ex) { throw new InvalidDataException($"{source} is not a model file: {ex.Message}", ex); }
        VaeLoadSession? session = null;
        try
        {
            using (zip)
            {
                manifest = VaeManifest.Read(zip, source) ?? new VaeManifest();
                session = VaeLoadSession.Begin(manifest, zip, device, source);
            }
            stream.Position = start;
            var transformer = mlContext.Model.Load(stream, out var inputSchema);
            if (session.Unclaimed != 0)
                throw new InvalidDataException(
                    $"{source}: its VAE manifest lists {session.Unclaimed} mapping(s) more than the ML.NET model uses; the file was not written by VaeModelFile.Save or was altered.");
            return new VaeLoadedModel(transformer, inputSchema, session.Models);
        }
        catch
        {
            session?.DisposeModels();
            throw;
        }
        finally
        {
            session?.Dispose();
        }
    }
}
