namespace Microsoft.ML.Vae.Core.Priors;

using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

/// <summary>
/// A learnable mixture-of-Gaussians prior p_ψ(z) = Σ_k w_k N(z; μ_k, diag e^{lv_k}) with w = softmax(v)
/// (algorithms spec §3.1). Parameters "means" [K, d] and "log_vars" [K, d]; "logits" v [K] is a
/// parameter when the weights are learnable and a buffer otherwise (initialized to 0: uniform).
/// Buffers "clip_lower", "clip_upper" [d] and "clip_enabled" hold the adaptive variance-clipping
/// bounds (§3.4), which every read of the variances applies once they are frozen.
/// </summary>
/// <remarks>
/// Whether clipping is active is cached from the "clip_enabled" buffer; after loading a state dict
/// into this module directly, call <see cref="RefreshFromState"/> (the owning model does it for you).
/// </remarks>
public sealed class MixturePrior : Module, IPrior
{
    private readonly Tensor _means;
    private readonly Tensor _logVars;
    private readonly Tensor _logits;
    private readonly Tensor _clipLower;
    private readonly Tensor _clipUpper;
    private readonly Tensor _clipEnabled;
    private bool _clipActive;

    /// <summary>
    /// Creates the prior with the reference's "random" initialization: μ ~ N(0, I)/√(K·d), lv ~ N(0, I),
    /// uniform weights. Use <see cref="SetComponents"/> for data initialization.
    /// </summary>
    /// <param name="components">Number of components K.</param>
    /// <param name="latentDim">Latent dimension d.</param>
    /// <param name="learnableWeights">Whether the mixture weights are trained (default false).</param>
    public MixturePrior(int components, int latentDim, bool learnableWeights = false)
    {
        if (components < 1) throw new ArgumentOutOfRangeException(nameof(components), components, "A mixture needs at least one component.");
        if (latentDim < 1) throw new ArgumentOutOfRangeException(nameof(latentDim), latentDim, "The latent dimension must be positive.");
        Components = components;
        LatentDim = latentDim;
        LearnableWeights = learnableWeights;
        // The scope disposes the temporaries; registration takes the results out of it.
        using (Torch.NewDisposeScope())
        using (Torch.NoGrad())
        {
            _means = RegisterParameter("means", Torch.Randn([components, latentDim]) * (1.0 / Math.Sqrt((double)components * latentDim)));
            _logVars = RegisterParameter("log_vars", Torch.Randn([components, latentDim]));
            _logits = learnableWeights
                ? RegisterParameter("logits", Torch.Zeros([components]))
                : RegisterBuffer("logits", Torch.Zeros([components]));
            _clipLower = RegisterBuffer("clip_lower", Torch.Zeros([latentDim]));
            _clipUpper = RegisterBuffer("clip_upper", Torch.Zeros([latentDim]));
            _clipEnabled = RegisterBuffer("clip_enabled", Torch.Zeros([]));
        }
    }

    /// <summary>Number of components K.</summary>
    public int Components { get; }

    /// <inheritdoc />
    public int LatentDim { get; }

    /// <summary>Whether the weights' logits are a trainable parameter.</summary>
    public bool LearnableWeights { get; }

    /// <summary>The raw means parameter μ [K, d].</summary>
    public Tensor Means => _means;

    /// <summary>The raw (unclipped) log-variance parameter [K, d].</summary>
    public Tensor LogVars => _logVars;

    /// <summary>The weight logits v [K] (a parameter or a buffer, see <see cref="LearnableWeights"/>).</summary>
    public Tensor Logits => _logits;

    /// <summary>True once <see cref="FreezeClipBounds"/> has fixed the variance-clipping bounds.</summary>
    public bool ClipEnabled => _clipActive;

    /// <summary>The frozen lower clipping bounds l [d] (zeros until frozen).</summary>
    public Tensor ClipLower => _clipLower;

    /// <summary>The frozen upper clipping bounds u [d] (zeros until frozen).</summary>
    public Tensor ClipUpper => _clipUpper;

    /// <summary>
    /// The effective parameters: means, log-variances (smoothly clamped once clipping is enabled) and
    /// log-softmax weights, connected to the parameters' autograd graph when grad mode is on.
    /// </summary>
    public MixturePriorParameters CurrentParameters()
    {
        using var scope = Torch.NewDisposeScope();
        var logVars = _clipActive ? VarianceClipping.SmoothClamp(_logVars, _clipLower, _clipUpper) : _logVars.Alias();
        var logWeights = _logits.LogSoftmax(0);
        return new MixturePriorParameters(_means.Alias().MoveToOuterScope(), logVars.MoveToOuterScope(), logWeights.MoveToOuterScope());
    }

    /// <summary>Overwrites means, log-variances and (when given) logits, e.g. from encoder outputs; no autograd history is kept.</summary>
    public void SetComponents(Tensor means, Tensor logVars, Tensor? logits = null)
    {
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(logVars);
        if (!means.Shape.SequenceEqual(_means.Shape) || !logVars.Shape.SequenceEqual(_logVars.Shape))
            throw new ArgumentException(
                $"Expected means and log-variances [{Components}, {LatentDim}], got [{string.Join(", ", means.Shape)}] and [{string.Join(", ", logVars.Shape)}].");
        if (logits is not null && !logits.Shape.SequenceEqual(_logits.Shape))
            throw new ArgumentException($"Expected logits [{Components}], got [{string.Join(", ", logits.Shape)}].", nameof(logits));
        using (Torch.NoGrad())
        {
            _means.Copy_(means);
            _logVars.Copy_(logVars);
            if (logits is not null) _logits.Copy_(logits);
        }
    }

    /// <summary>
    /// Freezes the clipping bounds from the current raw log-variances, l_j = min_k lv_kj and
    /// u_j = max_k lv_kj, and turns clipping on for every later read.
    /// </summary>
    public void FreezeClipBounds()
    {
        using (Torch.NoGrad())
        using (Torch.NewDisposeScope())
        {
            _clipLower.Copy_(_logVars.AMin(0));
            _clipUpper.Copy_(_logVars.AMax(0));
            _clipEnabled.Fill_(1);
        }
        _clipActive = true;
    }

    /// <summary>Re-reads the cached clipping flag from the "clip_enabled" buffer (after a state dict was loaded).</summary>
    public void RefreshFromState() => _clipActive = _clipEnabled.Item() != 0;

    /// <summary>Exact log p(z) per row of z [N, d], normalizing constants included: [N].</summary>
    public Tensor LogProb(Tensor z)
    {
        using var scope = Torch.NewDisposeScope();
        return MixturePriorDensity.LogDensity(z, CurrentParameters(), includeConstant: true).MoveToOuterScope();
    }

    /// <summary>n samples: a component k ~ Cat(w) per sample, then z = μ_k + σ_k ε (differentiable in μ and lv when grad mode is on).</summary>
    public Tensor Sample(long n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Sample count must be non-negative.");
        using var scope = Torch.NewDisposeScope();
        var p = CurrentParameters();
        var indices = DrawComponents(p, n);
        var eps = Torch.Randn([n, LatentDim], _means.DType, _means.Device);
        return SampleFrom(p, indices, eps).MoveToOuterScope();
    }

    /// <summary>Component indices [n] (int64) drawn from the weights of <paramref name="prior"/> with replacement (zeros for K = 1).</summary>
    public static Tensor DrawComponents(MixturePriorParameters prior, long n)
    {
        ArgumentNullException.ThrowIfNull(prior);
        if (prior.Components == 1 || n == 0) return Torch.Zeros([n], DType.Int64, prior.Means.Device);
        using var scope = Torch.NewDisposeScope();
        using var noGrad = Torch.NoGrad();
        var weights = prior.LogWeights.Exp();
        return Torch.Multinomial(weights, n, replacement: true).MoveToOuterScope();
    }

    /// <summary>The reparameterized samples μ_{k_i} + exp(½ lv_{k_i}) ⊙ ε_i for given components [n] and noise [n, d].</summary>
    public static Tensor SampleFrom(MixturePriorParameters prior, Tensor indices, Tensor noise)
    {
        ArgumentNullException.ThrowIfNull(prior);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(noise);
        using var scope = Torch.NewDisposeScope();
        var means = prior.Means.IndexSelect(0, indices);
        var std = (prior.LogVars.IndexSelect(0, indices) * 0.5).Exp();
        return (means + std * noise).MoveToOuterScope();
    }
}
