using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// The prior z = shift + scale ⊙ z0, z0 ~ N(0, I) as a generation-space prior: g(z) = (z − shift) / scale,
/// log|det ∂g/∂z| = −Σ log scale. The identity (shift 0, scale 1) is the standard normal.
/// </summary>
internal sealed class MetricTestAffinePrior : IGenerationSpacePrior
{
    private readonly double[] _shift;
    private readonly double[] _scale;

    public MetricTestAffinePrior(double[] shift, double[] scale)
    {
        _shift = shift;
        _scale = scale;
    }

    public int LatentDim => _shift.Length;

    /// <summary>log|det ∂g/∂z|, the same for every z.</summary>
    public double LogDet => -_scale.Sum(Math.Log);

    public (Tensor Z0, Tensor LogDet) ToGenerationSpace(Tensor z)
    {
        using var scope = Torch.NewDisposeScope();
        var z0 = (z - Row(_shift, z.DType)) / Row(_scale, z.DType);
        var logDet = Torch.Full([z.Size(0)], LogDet, z.DType);
        return (z0.MoveToOuterScope(), logDet.MoveToOuterScope());
    }

    public Tensor FromGenerationSpace(Tensor z0)
    {
        using var scope = Torch.NewDisposeScope();
        return (z0 * Row(_scale, z0.DType) + Row(_shift, z0.DType)).MoveToOuterScope();
    }

    public Tensor LogProb(Tensor z)
    {
        using var scope = Torch.NewDisposeScope();
        var (z0, logDet) = ToGenerationSpace(z);
        return (DiagonalGaussian.StandardLogDensity(z0).Sum(1) + logDet).MoveToOuterScope();
    }

    public Tensor Sample(long n)
    {
        using var scope = Torch.NewDisposeScope();
        return FromGenerationSpace(Torch.Randn([n, LatentDim])).MoveToOuterScope();
    }

    private static Tensor Row(double[] values, DType dtype)
    {
        using var row = Tensor.From(values, 1, values.Length);
        return row.To(dtype);
    }
}
