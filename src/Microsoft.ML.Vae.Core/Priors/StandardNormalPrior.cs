using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// The standard normal prior N(0, I). As an <see cref="IGenerationSpacePrior"/> its map to the
/// generation space is the identity (log-determinant 0), so code written for the decoupled prior
/// also handles the plain one.
/// </summary>
public sealed class StandardNormalPrior : IGenerationSpacePrior
{
    private readonly Func<(Device Device, ScalarType DType)> _placement;

    /// <summary>A prior that samples float tensors of <paramref name="dtype"/> on <paramref name="device"/> (default the CPU).</summary>
    public StandardNormalPrior(int latentDim, Device? device = null, ScalarType dtype = ScalarType.Float32)
        : this(latentDim, PlacementOf(device ?? torch.CPU, dtype))
    {
    }

    /// <summary>A prior whose sample device and dtype follow <paramref name="placement"/> (e.g. the owning model's weights).</summary>
    public StandardNormalPrior(int latentDim, Func<(Device Device, ScalarType DType)> placement)
    {
        if (latentDim <= 0) throw new ArgumentOutOfRangeException(nameof(latentDim), $"Latent dimension must be positive, got {latentDim}.");
        LatentDim = latentDim;
        _placement = placement ?? throw new ArgumentNullException(nameof(placement));
    }

    /// <inheritdoc />
    public int LatentDim { get; }

    /// <summary>log N(z; 0, I) = −½‖z‖² − (d/2)·log 2π per row: [N].</summary>
    public Tensor LogProb(Tensor z)
    {
        CheckLatents(z);
        using var scope = torch.NewDisposeScope();
        return DiagonalGaussian.StandardLogDensity(z).sum(1).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Sample(long n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), $"Sample count must be non-negative, got {n}.");
        var (device, dtype) = _placement();
        return torch.randn([n, LatentDim], dtype, device);
    }

    /// <summary>The identity: (a new handle to z, zeros [N]).</summary>
    public (Tensor Z0, Tensor LogDet) ToGenerationSpace(Tensor z)
    {
        CheckLatents(z);
        return (z.alias(), torch.zeros([z.size(0)], z.dtype, z.device));
    }

    /// <summary>The identity: a new handle to z0.</summary>
    public Tensor FromGenerationSpace(Tensor z0)
    {
        CheckLatents(z0);
        return z0.alias();
    }

    private void CheckLatents(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (z.dim() != 2 || z.size(1) != LatentDim)
            throw new ArgumentException($"Expected latents [N, {LatentDim}], got [{string.Join(", ", z.shape)}].", nameof(z));
    }

    private static Func<(Device Device, ScalarType DType)> PlacementOf(Device device, ScalarType dtype) => () => (device, dtype);
}
