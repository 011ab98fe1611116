namespace Microsoft.ML.Vae.Torch;

/// <summary>
/// Owns every tensor created on this thread while it is the innermost open scope, and disposes
/// whatever it still owns when it is disposed. Scopes nest; results leave a scope through
/// <see cref="MoveToOuter"/> (or <see cref="Tensor.MoveToOuterScope"/>) or <see cref="Detach"/>.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? _current;

    private readonly HashSet<Tensor> _owned = new(ReferenceEqualityComparer.Instance);
    private readonly DisposeScope? _outer;
    private readonly int _threadId;
    private bool _disposed;

    private DisposeScope()
    {
        _outer = _current;
        _threadId = Environment.CurrentManagedThreadId;
        _current = this;
    }

    /// <summary>The innermost open scope on this thread, or null.</summary>
    public static DisposeScope? Current => _current;

    /// <summary>Opens a new innermost scope on this thread.</summary>
    public static DisposeScope Open() => new();

    /// <summary>Number of tensors this scope currently owns.</summary>
    public int Count => _owned.Count;

    internal static void Register(Tensor t)
    {
        var scope = _current;
        if (scope is null) return;
        scope._owned.Add(t);
        t.Scope = scope;
    }

    internal void Unregister(Tensor t) => _owned.Remove(t);

    /// <summary>Hands <paramref name="tensor"/> to the enclosing scope (or to nobody at the outermost level) and returns it.</summary>
    public Tensor MoveToOuter(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Scope == this)
        {
            _owned.Remove(tensor);
            tensor.Scope = null;
            if (_outer is not null && !_outer._disposed)
            {
                _outer._owned.Add(tensor);
                tensor.Scope = _outer;
            }
        }
        return tensor;
    }

    /// <summary>Takes <paramref name="tensor"/> out of any scope: the caller now disposes it.</summary>
    public static Tensor Detach(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.Scope?._owned.Remove(tensor);
        tensor.Scope = null;
        return tensor;
    }

    /// <summary>Disposes every owned tensor except those given, which move to the outer scope.</summary>
    public void DisposeEverythingBut(params Tensor[] keep)
    {
        foreach (var k in keep) MoveToOuter(k);
        DisposeOwned();
    }

    private void DisposeOwned()
    {
        if (_owned.Count == 0) return;
        var items = _owned.ToArray();
        _owned.Clear();
        foreach (var t in items)
        {
            t.Scope = null;
            t.Dispose();
        }
    }

    /// <summary>Disposes everything still owned and closes the scope.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        if (Environment.CurrentManagedThreadId != _threadId)
            throw new InvalidOperationException("A DisposeScope must be disposed on the thread that opened it.");
        _disposed = true;
        DisposeOwned();
        // Restore the outer scope even when inner scopes were left open by mistake.
        if (_current == this) _current = _outer;
        else
        {
            var s = _current;
            while (s is not null && s != this) s = s._outer;
            if (s == this) _current = _outer;
        }
    }
}
