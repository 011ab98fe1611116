using System.Reflection;

namespace Microsoft.ML.Vae.Core.Persistence;

/// <summary>Maps model kinds to the <see cref="IModelFamily"/> that rebuilds them. Thread-safe.</summary>
public sealed class ModelRegistry
{
    private static readonly Lazy<ModelRegistry> _default = new(CreateDefault);
    private readonly Dictionary<string, IModelFamily> _families = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    /// <summary>
    /// The shared registry: every concrete <see cref="IModelFamily"/> in this library with a public
    /// parameterless constructor, plus whatever is registered into it later.
    /// </summary>
    public static ModelRegistry Default => _default.Value;

    /// <summary>Kinds known, sorted.</summary>
    public IReadOnlyList<string> Kinds
    {
        get { lock (_gate) return _families.Keys.Order(StringComparer.Ordinal).ToList(); }
    }

    /// <summary>Adds a family for each of its kinds; a kind that is already registered to another family is an error.</summary>
    public void Register(IModelFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        var kinds = family.Kinds ?? throw new ArgumentException("The family lists no kinds.", nameof(family));
        if (kinds.Count == 0) throw new ArgumentException("The family lists no kinds.", nameof(family));
        lock (_gate)
        {
            foreach (var k in kinds)
            {
                if (string.IsNullOrWhiteSpace(k)) throw new ArgumentException("A model kind is empty.", nameof(family));
                if (_families.TryGetValue(k, out var existing) && !ReferenceEquals(existing, family) && existing.GetType() != family.GetType())
                    throw new ArgumentException($"Model kind '{k}' is already registered to {existing.GetType().Name}.", nameof(family));
            }
            foreach (var k in kinds) _families[k] = family;
        }
    }

    /// <summary>The family for <paramref name="kind"/>, if any.</summary>
    public bool TryGetFamily(string kind, out IModelFamily family)
    {
        ArgumentNullException.ThrowIfNull(kind);
        lock (_gate) return _families.TryGetValue(kind, out family!);
    }

    private static ModelRegistry CreateDefault()
    {
        var registry = new ModelRegistry();
        var types = typeof(ModelRegistry).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false } && typeof(IModelFamily).IsAssignableFrom(t)
                        && t.GetConstructor(BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (var t in types) registry.Register((IModelFamily)Activator.CreateInstance(t)!);
        return registry;
    }
}
