using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// The aggregate posterior q(z) = (1/N) Σₙ N(z; μₙ, diag σ²ₙ) of N stored encodings: an exact
/// mixture log-density and mixture sampling. Densities are computed in float64, in chunks of query
/// rows so that no more than <see cref="MaxChunkElements"/> query×component values exist at once
/// (the quadratic form is expanded into matrix products, so nothing of size M×N×d is built).
/// </summary>
public sealed class AggregatePosterior : IDisposable
{
    /// <summary>Default bound on query×component values held at once (4 Mi doubles = 32 MiB).</summary>
    public const long DefaultMaxChunkElements = 1L << 22;

    private readonly Tensor _means;
    private readonly Tensor _logVars;
    private readonly Tensor _precisions;      // 1/σ², [N, d], float64
    private readonly Tensor _scaledMeans;     // μ/σ², [N, d], float64
    private readonly Tensor _offsets;         // Σⱼ μ²/σ² + Σⱼ log σ² + d log 2π, [N], float64
    private bool _disposed;

    /// <summary>
    /// Builds the mixture from encodings (copied; the arguments stay the caller's).
    /// </summary>
    /// <param name="means">Posterior means [N, d].</param>
    /// <param name="logVars">Posterior log-variances [N, d].</param>
    /// <param name="maxChunkElements">Bound on query×component values per chunk (default <see cref="DefaultMaxChunkElements"/>).</param>
    public AggregatePosterior(Tensor means, Tensor logVars, long maxChunkElements = DefaultMaxChunkElements)
    {
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(logVars);
        if (means.dim() != 2 || logVars.dim() != 2 || !means.shape.AsSpan().SequenceEqual(logVars.shape))
            throw new ArgumentException(
                $"Means [{string.Join(", ", means.shape)}] and log-variances [{string.Join(", ", logVars.shape)}] must both be [N, d].",
                nameof(means));
        if (means.size(0) == 0 || means.size(1) == 0)
            throw new ArgumentException("The aggregate posterior needs at least one encoding of at least one dimension.", nameof(means));
        if (maxChunkElements <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxChunkElements), maxChunkElements, "The chunk bound must be positive.");

        MaxChunkElements = maxChunkElements;
        Count = means.size(0);
        LatentDim = (int)means.size(1);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        // Copies even when the encodings are already float64: the arguments stay the caller's.
        var mu = means.to(ScalarType.Float64, copy: true);
        var logVar = logVars.to(ScalarType.Float64, means.device, copy: true);
        var precision = logVar.neg().exp();
        var scaled = mu * precision;
        var offsets = (mu * scaled).sum(1) + logVar.sum(1) + LatentDim * DiagonalGaussian.Log2Pi;
        _means = mu.DetachFromDisposeScope();
        _logVars = logVar.DetachFromDisposeScope();
        _precisions = precision.DetachFromDisposeScope();
        _scaledMeans = scaled.DetachFromDisposeScope();
        _offsets = offsets.DetachFromDisposeScope();
    }

    /// <summary>
    /// Encodes up to <paramref name="maxEncodings"/> distinct random rows of <paramref name="data"/>
    /// (all rows when there are fewer) and builds their aggregate posterior.
    /// </summary>
    /// <param name="model">The model whose encoder defines q(z|x).</param>
    /// <param name="data">Data [N, ..SampleShape].</param>
    /// <param name="maxEncodings">Number of stored encodings (default 5000, the dpVAE leakage setting).</param>
    /// <param name="batchSize">Encoder batch size.</param>
    /// <param name="seed">Seed of the row choice.</param>
    public static AggregatePosterior FromData(IVaeModel model, Tensor data, int maxEncodings = 5000, int batchSize = 500, long seed = 0)
    {
        EvaluationData.Validate(model, data);
        EvaluationData.RequirePositive(maxEncodings, nameof(maxEncodings));
        EvaluationData.RequirePositive(batchSize, nameof(batchSize));
        using var run = SeededEvaluationScope.Enter(model, seed);
        using var scope = torch.NewDisposeScope();
        var (mean, logVar) = EvaluationData.EncodeRandomRows(model, data, maxEncodings, batchSize);
        return new AggregatePosterior(mean, logVar);
    }

    /// <summary>Number N of mixture components (stored encodings).</summary>
    public long Count { get; }

    /// <summary>Latent dimension d.</summary>
    public int LatentDim { get; }

    /// <summary>Bound on query×component values computed at once.</summary>
    public long MaxChunkElements { get; }

    /// <summary>The stored means [N, d], float64. Owned by this object: do not dispose.</summary>
    public Tensor Means => Live(_means);

    /// <summary>The stored log-variances [N, d], float64. Owned by this object: do not dispose.</summary>
    public Tensor LogVars => Live(_logVars);

    /// <summary>
    /// log q(z) = log (1/N) Σₙ N(z; μₙ, diag σ²ₙ) for every row of <paramref name="z"/> [M, d]:
    /// float64 [M] on the encodings' device.
    /// </summary>
    public Tensor LogDensity(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        Live(_means);
        if (z.dim() != 2 || z.size(1) != LatentDim)
            throw new ArgumentException($"Latents must be [M, {LatentDim}], got [{string.Join(", ", z.shape)}].", nameof(z));
        return LogMeanExpOfQuadratic(z, _precisions, _scaledMeans, _offsets, 0.5, MaxChunkElements);
    }

    /// <summary>
    /// <paramref name="n"/> samples of the mixture: a uniformly chosen component each, then
    /// μ + σ ⊙ ε. float64 [n, d] on the encodings' device.
    /// </summary>
    public Tensor Sample(long n)
    {
        Live(_means);
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "The sample count cannot be negative.");
        using var scope = torch.NewDisposeScope();
        var index = torch.randint(0, Count, [n], ScalarType.Int64, _means.device);
        var mean = _means.index_select(0, index);
        var logVar = _logVars.index_select(0, index);
        return DiagonalGaussian.Sample(mean, logVar).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// logmeanexpₙ[ −k · (Σⱼ wₙⱼ (zⱼ − μₙⱼ)² + cₙ) ] for every row of z, from the expanded
    /// quadratic Σⱼ wₙⱼzⱼ² − 2Σⱼ (wₙⱼμₙⱼ)zⱼ + Σⱼ wₙⱼμₙⱼ² (its last term folded into
    /// <paramref name="offsets"/>). float64 [M].
    /// </summary>
    /// <param name="z">Query rows [M, d].</param>
    /// <param name="weights">wₙⱼ [N, d], float64.</param>
    /// <param name="weightedMeans">wₙⱼ μₙⱼ [N, d], float64.</param>
    /// <param name="offsets">Σⱼ wₙⱼ μₙⱼ² + cₙ [N], float64.</param>
    /// <param name="k">Factor k.</param>
    /// <param name="maxChunkElements">Bound on M-chunk × N values at once.</param>
    internal static Tensor LogMeanExpOfQuadratic(Tensor z, Tensor weights, Tensor weightedMeans, Tensor offsets, double k, long maxChunkElements)
    {
        using var noGrad = torch.no_grad();
        long m = z.size(0), n = weights.size(0);
        long rows = Math.Max(1, maxChunkElements / n);
        var device = weights.device;
        var parts = new List<Tensor>();
        try
        {
            using var weightsT = weights.T;
            using var weightedMeansT = weightedMeans.T;
            using var offsetRow = offsets.unsqueeze(0);
            double logN = Math.Log(n);
            for (long start = 0; start < m; start += rows)
            {
                using var scope = torch.NewDisposeScope();
                var zc = z.narrow(0, start, Math.Min(rows, m - start)).to(ScalarType.Float64, device);
                var quadratic = torch.matmul(zc.square(), weightsT) - torch.matmul(zc, weightedMeansT) * 2.0 + offsetRow;
                var logMean = (quadratic * -k).logsumexp(1) - logN;
                parts.Add(logMean.DetachFromDisposeScope());
            }
            if (parts.Count == 0) return torch.empty([0], ScalarType.Float64, device);
            return torch.cat(parts);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    private Tensor Live(Tensor t)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return t;
    }

    /// <summary>Releases the stored encodings.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _means.Dispose();
        _logVars.Dispose();
        _precisions.Dispose();
        _scaledMeans.Dispose();
        _offsets.Dispose();
    }
}
