using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// dpVAE's decoupled prior (algorithms spec §1.1–1.2): a RealNVP bijection g from the
/// representation space z to the generation space z0 ~ N(0, I), so that
/// p(z) = N(g(z); 0, I)·|det ∂g/∂z|. K affine coupling blocks (default 6) with masks
/// b, 1−b, b, 1−b, ... where b sets the first ⌊p·d/100⌋ coordinates (p = mask percent, default 50;
/// for d = 2 this is the alternating [1,0], [0,1] pattern of the released configs).
/// Generation g⁻¹ applies blocks 1..K; inference g applies K..1 and accumulates the log-determinant.
/// Optionally (<see cref="Normalization"/>) a running standardization of the aggregate posterior comes first in g.
/// A TorchSharp <see cref="nn.Module"/>: its weights are saved with the model ("blocks.k.s.*", "blocks.k.t.*", "blocks.k.mask",
/// and "normalization.*" when present).
/// </summary>
public sealed class DecoupledFlowPrior : nn.Module, IGenerationSpacePrior
{
    private readonly AffineCoupling[] _blocks;
    private readonly PosteriorNormalization? _normalization;

    /// <summary>Creates the flow.</summary>
    /// <param name="latentDim">Latent dimension d.</param>
    /// <param name="blocks">Number of coupling blocks K (default 6).</param>
    /// <param name="hiddenSize">Width of the s and t networks (default 64).</param>
    /// <param name="maskPercent">Percentage p of coordinates passed through by the first mask (default 50).</param>
    /// <param name="normalizePosterior">
    /// Put a <see cref="PosteriorNormalization"/> in front of the coupling blocks (default false: the authors' flow).
    /// </param>
    public DecoupledFlowPrior(int latentDim, int blocks = 6, int hiddenSize = 64, double maskPercent = 50, bool normalizePosterior = false)
        : base(nameof(DecoupledFlowPrior))
    {
        if (latentDim <= 0) throw new ArgumentOutOfRangeException(nameof(latentDim), $"Latent dimension must be positive, got {latentDim}.");
        if (blocks <= 0) throw new ArgumentOutOfRangeException(nameof(blocks), $"The flow needs at least one coupling block, got {blocks}.");
        if (!(maskPercent is >= 0 and <= 100)) throw new ArgumentOutOfRangeException(nameof(maskPercent), $"Mask percent must be in [0, 100], got {maskPercent}.");
        LatentDim = latentDim;
        var first = CreateMask(latentDim, maskPercent);
        var second = first.Select(m => 1f - m).ToArray();
        var list = nn.Sequential();
        _blocks = new AffineCoupling[blocks];
        for (int k = 0; k < blocks; k++)
        {
            _blocks[k] = new AffineCoupling(k % 2 == 0 ? first : second, hiddenSize);
            list.append(_blocks[k]);
        }
        register_module("blocks", list);
        if (normalizePosterior)
        {
            _normalization = new PosteriorNormalization(latentDim);
            register_module("normalization", _normalization);
        }
    }

    /// <summary>The running posterior normalization in front of the blocks, or null (the authors' flow).</summary>
    public PosteriorNormalization? Normalization => _normalization;

    /// <summary>The "half" mask: the first ⌊p·d/100⌋ coordinates are 1, the rest 0.</summary>
    public static float[] CreateMask(int latentDim, double maskPercent)
    {
        int ones = (int)Math.Floor(maskPercent * latentDim / 100.0);
        return Enumerable.Range(0, latentDim).Select(j => j < ones ? 1f : 0f).ToArray();
    }

    /// <inheritdoc />
    public int LatentDim { get; }

    /// <summary>The coupling blocks in generation order 1..K.</summary>
    public IReadOnlyList<AffineCoupling> Blocks => _blocks;

    /// <summary>
    /// How far from the origin each coordinate of g⁻¹(0) can lie: the largest |z_j| the flow can map to the
    /// centre of N(0, I). Each block that transforms coordinate j does u ← u·e^s + t with |s|, |t| &lt; 1 (tanh),
    /// so after m such blocks |u| &lt; 1 + e + … + e^(m−1) (about 11.1 for the three blocks per coordinate of the
    /// default six-block flow in 2-D). An aggregate posterior centred beyond this cannot be mapped onto N(0, I).
    /// </summary>
    /// <remarks>With <see cref="Normalization"/> the reach applies to the normalized latents.</remarks>
    public double[] CentreReach() => FlowReach.CentreReach(_blocks.Select(b => b.Mask).ToArray());

    /// <summary>z0 = g(z) (blocks K..1) and log|det ∂g/∂z| per row.</summary>
    public (Tensor Z0, Tensor LogDet) ToGenerationSpace(Tensor z)
    {
        CheckLatents(z);
        using var scope = torch.NewDisposeScope();
        var u = z;
        Tensor? logDet = null;
        if (_normalization is not null) (u, logDet) = _normalization.Normalize(z);
        for (int k = _blocks.Length - 1; k >= 0; k--)
        {
            var (next, blockLogDet) = _blocks[k].Infer(u);
            logDet = logDet is null ? blockLogDet : logDet + blockLogDet;
            u = next;
        }
        return (u.MoveToOuterDisposeScope(), logDet!.MoveToOuterDisposeScope());
    }

    /// <summary>z = g⁻¹(z0) (blocks 1..K).</summary>
    public Tensor FromGenerationSpace(Tensor z0)
    {
        CheckLatents(z0);
        using var scope = torch.NewDisposeScope();
        var u = z0;
        foreach (var block in _blocks) u = block.Generate(u);
        if (_normalization is not null) u = _normalization.Denormalize(u);
        return u.MoveToOuterDisposeScope();
    }

    /// <summary>log p(z) = log N(g(z); 0, I) + log|det ∂g/∂z| per row: [N].</summary>
    public Tensor LogProb(Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        var (z0, logDet) = ToGenerationSpace(z);
        return (DiagonalGaussian.StandardLogDensity(z0).sum(1) + logDet).MoveToOuterDisposeScope();
    }

    /// <summary>z = g⁻¹(z0) with z0 ~ N(0, I), on the flow's device and dtype (differentiable in the flow's weights unless under no-grad).</summary>
    public Tensor Sample(long n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), $"Sample count must be non-negative, got {n}.");
        using var scope = torch.NewDisposeScope();
        var reference = parameters().First();
        var z0 = torch.randn([n, LatentDim], reference.dtype, reference.device);
        return FromGenerationSpace(z0).MoveToOuterDisposeScope();
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }

    private void CheckLatents(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (z.dim() != 2 || z.size(1) != LatentDim)
            throw new ArgumentException($"Expected latents [N, {LatentDim}], got [{string.Join(", ", z.shape)}].", nameof(z));
    }
}
