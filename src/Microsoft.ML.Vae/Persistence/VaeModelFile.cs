using System.IO.Compression;
using System.Reflection;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Persistence;
using Microsoft.ML.Vae.Runtime;

namespace Microsoft.ML.Vae;

/// <summary>
/// Saves and loads ML.NET models that contain VAE transformers, with more than plain
/// <c>mlContext.Model.Save</c>/<c>Load</c> give (which also round-trip them: the VAE weights travel inside the
/// ML.NET model as the table of a built-in value-mapping transform). Save writes the file only once the model
/// is complete; Load decodes and checks the VAEs at once (plain Load does it at the first row), places them
/// on the device the context selects (plain Load: the CPU), returns them for evaluation and early release,
/// and reports a damaged file with an <see cref="InvalidDataException"/> naming the problem.
/// </summary>
/// <remarks>
/// Reloaded VAE transforms are ML.NET custom mappings (not this library's transformer types);
/// <see cref="Load(MLContext, string)"/> returns the loaded VAEs as well.
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
        // Into memory first, so that a save that fails half way leaves no file behind.
        using var buffer = new MemoryStream();
        mlContext.Model.Save(model, inputSchema, buffer);
        return buffer.ToArray();
    }

    private static VaeLoadedModel LoadCore(MLContext mlContext, Stream stream, string source)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        // Loading may be the process's first libtorch call (idempotent; see TorchRuntime).
        TorchRuntime.ConfigureThreadingEnvironment();
        var device = ContextDevice.Resolve(mlContext);
        long start = stream.Position;
        var decoded = new Dictionary<string, LoadedMapping>(StringComparer.Ordinal);
        try
        {
            ZipArchive zip;
            try { zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true); }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{source} is not an ML.NET model file (not a readable .zip archive): {ex.Message}", ex);
            }
            using (zip)
                foreach (var text in EmbeddedPayloads.Read(mlContext, zip, source))
                    if (!decoded.ContainsKey(text)) decoded[text] = EmbeddedModel.Decode(text, device, source);
            stream.Position = start;
            using var session = VaeLoadSession.Begin(device, decoded);
            ITransformer transformer;
            DataViewSchema inputSchema;
            try
            {
                transformer = mlContext.Model.Load(stream, out inputSchema);
            }
            catch (TargetInvocationException ex) when (ex.InnerException is not null)
            {
                // ML.NET builds transforms by reflection; its wrapper's own message says nothing.
                throw new InvalidDataException($"{source} cannot be loaded: {ex.InnerException.Message}", ex.InnerException);
            }
            catch (Exception ex) when (ex is FormatException or EndOfStreamException or InvalidOperationException)
            {
                throw new InvalidDataException($"{source} is damaged or not an ML.NET model file: {ex.Message}", ex);
            }
            return new VaeLoadedModel(transformer, inputSchema, session.Models);
        }
        catch
        {
            foreach (var m in decoded.Values.Select(d => d.Model).Distinct()) m.Dispose();
            throw;
        }
    }
}
