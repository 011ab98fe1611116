using System.IO.Compression;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Persistence;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Persistence;

/// <summary>
/// Hands the saved models to the mapping factories while <see cref="VaeModelFile.Load(MLContext, string, out DataViewSchema)"/>
/// runs <c>mlContext.Model.Load</c> on this thread. ML.NET reloads mappings in the order it saved them, so
/// each contract's entries are served first in, first out. A model shared by several mappings is loaded once.
/// </summary>
internal sealed class VaeLoadSession : IDisposable
{
    [ThreadStatic] private static VaeLoadSession? _current;

    private readonly Dictionary<string, Queue<VaeManifest.Entry>> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _modelBytes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IVaeModel> _models = new(StringComparer.Ordinal);
    private readonly Device _device;
    private readonly string _source;

    private VaeLoadSession(VaeManifest manifest, ZipArchive zip, Device device, string source)
    {
        _device = device;
        _source = source;
        foreach (var m in manifest.Mappings)
        {
            if (!_pending.TryGetValue(m.Contract, out var queue)) _pending[m.Contract] = queue = new Queue<VaeManifest.Entry>();
            queue.Enqueue(m);
            if (!_modelBytes.ContainsKey(m.Model)) _modelBytes[m.Model] = ReadEntry(zip, m.Model);
        }
    }

    /// <summary>Opens the session of this thread for the mappings of <paramref name="manifest"/>.</summary>
    /// <exception cref="InvalidOperationException">A session is already open on this thread.</exception>
    public static VaeLoadSession Begin(VaeManifest manifest, ZipArchive zip, Device device, string source)
    {
        if (_current is not null) throw new InvalidOperationException("A VAE model is already being loaded on this thread.");
        return _current = new VaeLoadSession(manifest, zip, device, source);
    }

    /// <summary>The next saved mapping for <paramref name="contract"/>, with its model loaded onto the session's device.</summary>
    /// <exception cref="InvalidOperationException">No session is open: the model is being loaded with mlContext.Model.Load.</exception>
    /// <exception cref="InvalidDataException">The file holds no (more) weights for this contract.</exception>
    public static LoadedMapping Take(string contract)
    {
        var session = _current ?? throw new InvalidOperationException(
            $"This ML.NET model contains a VAE mapping ('{contract}') whose weights are stored beside it in the .zip. " +
            "Load it with Microsoft.ML.Vae.VaeModelFile.Load(mlContext, path, out inputSchema) instead of mlContext.Model.Load.");
        return session.TakeNext(contract);
    }

    /// <summary>Every model loaded so far.</summary>
    public IReadOnlyList<IVaeModel> Models => _models.Values.ToList();

    /// <summary>Mappings listed in the manifest that ML.NET has not asked for.</summary>
    public int Unclaimed => _pending.Values.Sum(q => q.Count);

    private LoadedMapping TakeNext(string contract)
    {
        if (!_pending.TryGetValue(contract, out var queue) || queue.Count == 0)
            throw new InvalidDataException(
                $"{_source}: the ML.NET model asks for VAE mapping '{contract}', but the file's VAE manifest holds no (more) weights for it.");
        var entry = queue.Dequeue();
        if (!_models.TryGetValue(entry.Model, out var model))
        {
            model = ModelStore.Load(new MemoryStream(_modelBytes[entry.Model], writable: false), _device);
            _models[entry.Model] = model;
        }
        return new LoadedMapping(entry.ToSettings(), model);
    }

    private byte[] ReadEntry(ZipArchive zip, string name)
    {
        var entry = zip.GetEntry(name) ?? throw new InvalidDataException($"{_source}: entry '{name}' is missing.");
        using var s = entry.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>Closes the session; models are kept (their owner is the caller of <see cref="VaeModelFile.Load(MLContext, string)"/>).</summary>
    public void Dispose()
    {
        if (ReferenceEquals(_current, this)) _current = null;
    }

    /// <summary>Disposes every model loaded so far (used when loading fails).</summary>
    public void DisposeModels()
    {
        foreach (var m in _models.Values) m.Dispose();
        _models.Clear();
    }
}
