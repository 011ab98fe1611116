namespace Microsoft.ML.Vae.Core.Priors;

using Microsoft.ML.Vae.Torch;

/// <summary>
/// The standard normal prior N(0, I). As an <see cref="IGenerationSpacePrior"/> its map to the
/// generation space is the identity (log-determinant 0), so code written for the decoupled prior
/// also handles the plain one.
/// </summary>
public sealed class StandardNormalPrior : IGenerationSpacePrior
{
    private readonly Func<(Device Device, DType DType)> _placement;

    /// <summary>A prior that samples float tensors of <paramref name="dtype"/> on <paramref name="device"/>.</summary>
    public StandardNormalPrior(int latentDim, Device device = default, DType dtype = DType.Float32)
        : this(latentDim, () => (device, dtype))
    {
    }

    /// <summary>A prior whose sample device and dtype follow <paramref name="placement"/> (e.g. the owning model's weights).</summary>
    public StandardNormalPrior(int latentDim, Func<(Device Device, DType DType)> placement)
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
        using var scope = Torch.NewDisposeScope();
        return DiagonalGaussian.StandardLogDensity(z).Sum(1).MoveToOuterScope();
    }

    /// <inheritdoc />
    public Tensor Sample(long n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), $"Sample count must be non-negative, got {n}.");
        var (device, dtype) = _placement();
        return Torch.Randn([n, LatentDim], dtype, device);
    }

    /// <summary>The identity: (a new handle to z, zeros [N]).</summary>
    public (Tensor Z0, Tensor LogDet) ToGenerationSpace(Tensor z)
    {
        CheckLatents(z);
        return (z.Alias(), Torch.Zeros([z.Size(0)], z.DType, z.Device));
    }

    /// <summary>The identity: a new handle to z0.</summary>
    public Tensor FromGenerationSpace(Tensor z0)
    {
        CheckLatents(z0);
        return z0.Alias();
    }

    private void CheckLatents(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (z.Dim != 2 || z.Size(1) != LatentDim)
            throw new ArgumentException($"Expected latents [N, {LatentDim}], got [{string.Join(", ", z.Shape)}].", nameof(z));
    }
}
