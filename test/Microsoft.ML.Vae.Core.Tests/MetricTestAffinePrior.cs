using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

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
        using var scope = torch.NewDisposeScope();
        var z0 = (z - Row(_shift, z.dtype)) / Row(_scale, z.dtype);
        var logDet = torch.full([z.size(0)], LogDet, z.dtype);
        return (z0.MoveToOuterDisposeScope(), logDet.MoveToOuterDisposeScope());
    }

    public Tensor FromGenerationSpace(Tensor z0)
    {
        using var scope = torch.NewDisposeScope();
        return (z0 * Row(_scale, z0.dtype) + Row(_shift, z0.dtype)).MoveToOuterDisposeScope();
    }

    public Tensor LogProb(Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        var (z0, logDet) = ToGenerationSpace(z);
        return (DiagonalGaussian.StandardLogDensity(z0).sum(1) + logDet).MoveToOuterDisposeScope();
    }

    public Tensor Sample(long n)
    {
        using var scope = torch.NewDisposeScope();
        return FromGenerationSpace(torch.randn([n, LatentDim])).MoveToOuterDisposeScope();
    }

    private static Tensor Row(double[] values, ScalarType dtype)
    {
        using var row = torch.tensor(values, new long[] { 1, values.Length });
        return row.to(dtype);
    }
}
