using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Data;

/// <summary>
/// Base of the 2-D toy samplers: validates the count and runs the generator in a dispose scope,
/// so only the result survives.
/// </summary>
public abstract class ToySampler : IDataSampler
{
    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public virtual double PlotRange => 4.0;

    /// <inheritdoc />
    public Tensor Sample(long n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "The number of samples must be positive.");
        using var scope = torch.NewDisposeScope();
        var points = Generate(n);
        return points.MoveToOuterDisposeScope();
    }

    /// <summary>Draws <paramref name="n"/> ≥ 1 points as float32 [n, 2]; temporaries may be left to the caller's scope.</summary>
    protected abstract Tensor Generate(long n);

    /// <inheritdoc />
    public override string ToString() => Name;
}
