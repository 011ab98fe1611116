using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Training;

/// <summary>
/// Named loss terms of one objective evaluation, in insertion order, plus the total that is
/// back-propagated. Objectives return this so every term can be logged and tested on its own.
/// The terms are owned by the caller's dispose scope.
/// </summary>
public sealed class LossTerms
{
    private readonly List<(string Name, Tensor Value)> _terms = new();

    /// <summary>Creates terms with the given total.</summary>
    public LossTerms(Tensor total) => Total = total ?? throw new ArgumentNullException(nameof(total));

    /// <summary>The scalar that is minimized.</summary>
    public Tensor Total { get; set; }

    /// <summary>Adds a named scalar term (for logging and tests) and returns this.</summary>
    public LossTerms Add(string name, Tensor value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        _terms.Add((name, value ?? throw new ArgumentNullException(nameof(value))));
        return this;
    }

    /// <summary>The named terms in insertion order.</summary>
    public IReadOnlyList<(string Name, Tensor Value)> Terms => _terms;

    /// <summary>A term by name.</summary>
    public Tensor this[string name] => _terms.First(t => t.Name == name).Value;

    /// <summary>True when a term with that name exists.</summary>
    public bool Contains(string name) => _terms.Any(t => t.Name == name);

    /// <summary>Scalar values of the total ("loss") and every term, read back to the host.</summary>
    public IReadOnlyDictionary<string, double> ToValues()
    {
        var d = new Dictionary<string, double>(StringComparer.Ordinal) { ["loss"] = Total.ItemAsDouble() };
        foreach (var (n, v) in _terms) d[n] = v.ItemAsDouble();
        return d;
    }
}
