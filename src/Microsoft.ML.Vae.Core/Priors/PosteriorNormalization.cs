using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// An opt-in first step of the decoupled prior's map g: z ↦ (z − m) ⊙ exp(−s), where m and s are running
/// (exponential moving average) estimates of the mean and log standard deviation of the aggregate posterior,
/// updated from every training batch's latent samples. Not trained by gradient: it lets the tanh-bounded
/// coupling blocks work on standardized latents wherever the encoder moves its posterior, which they cannot
/// follow alone (their shifts add up to about 11 per coordinate). The first update sets the estimates directly.
/// Buffers (saved with the model): "mean", "logStd", "updates".
/// </summary>
public sealed class PosteriorNormalization : nn.Module
{
    /// <summary>Default weight of a new batch in the moving averages (0.1, BatchNorm's default momentum).</summary>
    public const double DefaultMomentum = 0.1;

    [ComponentName(Name = "mean")]
    private Tensor _mean;
    [ComponentName(Name = "logStd")]
    private Tensor _logStd;
    [ComponentName(Name = "updates")]
    private Tensor _updates;

    /// <summary>Creates the identity normalization (mean 0, log std 0) for <paramref name="latentDim"/> coordinates.</summary>
    public PosteriorNormalization(int latentDim, double momentum = DefaultMomentum)
        : base(nameof(PosteriorNormalization))
    {
        if (latentDim <= 0) throw new ArgumentOutOfRangeException(nameof(latentDim), $"Latent dimension must be positive, got {latentDim}.");
        if (!(momentum is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), $"Momentum must be in (0, 1], got {momentum}.");
        LatentDim = latentDim;
        Momentum = momentum;
        _mean = torch.zeros(latentDim);
        _logStd = torch.zeros(latentDim);
        _updates = torch.zeros(1);
        register_buffer("mean", _mean);
        register_buffer("logStd", _logStd);
        register_buffer("updates", _updates);
    }

    /// <summary>Latent dimension d.</summary>
    public int LatentDim { get; }

    /// <summary>Weight of a new batch in the moving averages.</summary>
    public double Momentum { get; }

    /// <summary>The current mean estimate m (a copy, float64).</summary>
    public double[] Mean => Copy(_mean);

    /// <summary>The current log standard deviation estimate s (a copy, float64).</summary>
    public double[] LogStd => Copy(_logStd);

    /// <summary>Number of batches observed so far.</summary>
    public long Updates => (long)_updates.ToDouble();

    /// <summary>
    /// Updates the estimates from latent samples [N, d] (N ≥ 2) of one batch, without gradients: the first
    /// batch sets them, later ones move them by <see cref="Momentum"/>.
    /// </summary>
    public void Observe(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (z.dim() != 2 || z.size(1) != LatentDim || z.size(0) < 2)
            throw new ArgumentException($"Expected latents [N ≥ 2, {LatentDim}], got [{string.Join(", ", z.shape)}].", nameof(z));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = z.detach().to(_mean.dtype);
        var mean = x.mean([0]);
        // A floor keeps a collapsed coordinate from dividing by zero.
        var logStd = x.std(0).clamp_min(1e-6).log();
        double w = _updates.ToDouble() == 0 ? 1.0 : Momentum;
        _mean.mul_(1 - w).add_(mean * w);
        _logStd.mul_(1 - w).add_(logStd * w);
        _updates.add_(1);
    }

    /// <summary>
    /// Uses the statistics of <paramref name="z"/> (a training batch's latent samples [N ≥ 2, d]) with their gradients,
    /// as batch normalization does in training, until <see cref="EndBatch"/>: the loss then sees how the encoder's
    /// moves change the normalization, instead of a normalization that follows afterwards unseen (which lets the
    /// encoder shrink its posterior for free and diverge). Also updates the running estimates.
    /// </summary>
    public void BeginBatch(Tensor z)
    {
        Observe(z);
        EndBatch();
        _batchMean = z.mean([0]).DetachFromDisposeScope();
        _batchLogStd = z.std(0).clamp_min(1e-6).log().DetachFromDisposeScope();
    }

    /// <summary>Returns to the running estimates (call after the step's backward pass).</summary>
    public void EndBatch()
    {
        _batchMean?.Dispose();
        _batchLogStd?.Dispose();
        _batchMean = _batchLogStd = null;
    }

    private Tensor? _batchMean;
    private Tensor? _batchLogStd;

    /// <summary>(z − m) ⊙ exp(−s) and its log-determinant −Σ s per row ([N]).</summary>
    public (Tensor Output, Tensor LogDet) Normalize(Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        var (m, s) = Statistics(z);
        var output = (z - m) * s.neg().exp();
        var logDet = s.sum().neg().expand(z.size(0));
        return (output.MoveToOuterDisposeScope(), logDet.MoveToOuterDisposeScope());
    }

    private (Tensor Mean, Tensor LogStd) Statistics(Tensor like) => _batchMean is not null
        ? (_batchMean.to(like.dtype, like.device), _batchLogStd!.to(like.dtype, like.device))
        : (_mean.to(like.dtype, like.device), _logStd.to(like.dtype, like.device));

    /// <summary>u ⊙ exp(s) + m: the inverse of <see cref="Normalize"/>.</summary>
    public Tensor Denormalize(Tensor u)
    {
        using var scope = torch.NewDisposeScope();
        var (m, s) = Statistics(u);
        return (u * s.exp() + m).MoveToOuterDisposeScope();
    }

    private static double[] Copy(Tensor t)
    {
        using var copy = t.to(ScalarType.Float64, torch.CPU, copy: true);
        return copy.data<double>().ToArray();
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }
}
