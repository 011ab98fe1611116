namespace Microsoft.ML.Vae.Torch.NN;

/// <summary>
/// Base of every layer and network. Parameters, buffers and submodules are registered explicitly
/// (no reflection), in order; names compose with dots like PyTorch's state dicts ("enc.0.weight").
/// A module owns its parameters and buffers: they never belong to a dispose scope.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly List<(string Name, Tensor Tensor)> _parameters = new();
    private readonly List<(string Name, Tensor Tensor)> _buffers = new();
    private readonly List<(string Name, Module Module)> _modules = new();
    private bool _disposed;

    /// <summary>True in training mode (dropout active, batch norm uses batch statistics).</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Registers a trainable parameter (sets requires-grad, takes it out of any dispose scope).</summary>
    protected Tensor RegisterParameter(string name, Tensor tensor, bool requiresGrad = true)
    {
        CheckName(name);
        tensor.DetachFromScope();
        tensor.RequiresGrad = requiresGrad;
        _parameters.Add((name, tensor));
        return tensor;
    }

    /// <summary>Registers a non-trainable state tensor (running statistics, masks...).</summary>
    protected Tensor RegisterBuffer(string name, Tensor tensor)
    {
        CheckName(name);
        tensor.DetachFromScope();
        _buffers.Add((name, tensor));
        return tensor;
    }

    /// <summary>Registers a child module.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(module);
        _modules.Add((name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"Invalid member name '{name}': must be non-empty without dots.", nameof(name));
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _modules.Any(m => m.Name == name))
            throw new ArgumentException($"A member named '{name}' is already registered.", nameof(name));
    }

    /// <summary>Parameters of this module and all submodules, with dotted names.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters(string prefix = "")
    {
        foreach (var (n, t) in _parameters) yield return (prefix + n, t);
        foreach (var (n, m) in _modules)
            foreach (var p in m.NamedParameters(prefix + n + ".")) yield return p;
    }

    /// <summary>All parameters (this module and submodules).</summary>
    public IReadOnlyList<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter).ToList();

    /// <summary>Buffers of this module and all submodules, with dotted names.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers(string prefix = "")
    {
        foreach (var (n, t) in _buffers) yield return (prefix + n, t);
        foreach (var (n, m) in _modules)
            foreach (var b in m.NamedBuffers(prefix + n + ".")) yield return b;
    }

    /// <summary>Direct children.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _modules;

    /// <summary>Number of trainable scalars.</summary>
    public long ParameterCount => NamedParameters().Sum(p => p.Parameter.NumberOfElements);

    /// <summary>Sets training mode here and in every submodule.</summary>
    public virtual Module Train(bool training = true)
    {
        Training = training;
        foreach (var (_, m) in _modules) m.Train(training);
        return this;
    }

    /// <summary>Evaluation mode (same as <c>Train(false)</c>).</summary>
    public Module Eval() => Train(false);

    /// <summary>Moves every parameter and buffer to a device in place (tensor identities are kept, so optimizers stay valid).</summary>
    public Module To(Device device)
    {
        device.EnsureAvailable();
        foreach (var t in AllTensors())
        {
            if (t.Device == device) continue;
            using var moved = t.To(device);
            t.SetData(moved);
        }
        return this;
    }

    /// <summary>Converts every floating-point parameter and buffer to a dtype in place.</summary>
    public Module To(DType dtype)
    {
        foreach (var t in AllTensors())
        {
            if (!t.DType.IsFloatingPoint() || t.DType == dtype) continue;
            using var converted = t.To(dtype);
            t.SetData(converted);
        }
        return this;
    }

    private IEnumerable<Tensor> AllTensors() =>
        NamedParameters().Select(p => p.Parameter).Concat(NamedBuffers().Select(b => b.Buffer));

    /// <summary>The module's state: parameters and buffers by dotted name (the live tensors, not copies).</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (n, t) in NamedParameters()) d[n] = t;
        foreach (var (n, t) in NamedBuffers()) d[n] = t;
        return d;
    }

    /// <summary>
    /// Copies values into the registered tensors (converted to their device and dtype). With
    /// <paramref name="strict"/>, missing or unexpected names are errors; shapes must always match.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = StateDict();
        if (strict)
        {
            var missing = own.Keys.Where(k => !state.ContainsKey(k)).ToList();
            var unexpected = state.Keys.Where(k => !own.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
                throw new ArgumentException(
                    $"State does not match the module: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}].");
        }
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var source)) continue;
            var ts = target.Shape;
            var ss = source.Shape;
            if (!ts.SequenceEqual(ss))
                throw new ArgumentException($"Shape mismatch for '{name}': the module has [{string.Join(", ", ts)}], the state has [{string.Join(", ", ss)}].");
            using (Torch.NoGrad()) target.Copy_(source);
        }
    }

    /// <summary>Clears the gradients of every parameter.</summary>
    public void ZeroGrad(bool setToNone = true) => Optim.Optimizer.ZeroGrad(Parameters(), setToNone);

    /// <summary>Disposes parameters, buffers and submodules.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var (_, t) in _parameters) t.Dispose();
        foreach (var (_, t) in _buffers) t.Dispose();
        foreach (var (_, m) in _modules) m.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>A module with one tensor in and one tensor out, the shape most layers have.</summary>
public abstract class Layer : Module
{
    /// <summary>Computes the layer's output.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Same as <see cref="Forward"/>.</summary>
    public Tensor Call(Tensor input) => Forward(input);
}
