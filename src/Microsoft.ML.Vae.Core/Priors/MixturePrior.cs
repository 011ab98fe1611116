using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Priors;

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
/// The fields carry their registered names (<see cref="ComponentNameAttribute"/>) so that TorchSharp's
/// <c>to(device)</c>, which replaces parameters and buffers, updates them.
/// </remarks>
public sealed class MixturePrior : nn.Module, IPrior
{
    [ComponentName(Name = "means")]
    private Parameter _means;
    [ComponentName(Name = "log_vars")]
    private Parameter _logVars;
    [ComponentName(Name = "logits")]
    private Tensor _logits;
    [ComponentName(Name = "clip_lower")]
    private Tensor _clipLower;
    [ComponentName(Name = "clip_upper")]
    private Tensor _clipUpper;
    [ComponentName(Name = "clip_enabled")]
    private Tensor _clipEnabled;
    private bool _clipActive;

    /// <summary>
    /// Creates the prior with the reference's "random" initialization: μ ~ N(0, I)/√(K·d), lv ~ N(0, I),
    /// uniform weights. Use <see cref="SetComponents"/> for data initialization.
    /// </summary>
    /// <param name="components">Number of components K.</param>
    /// <param name="latentDim">Latent dimension d.</param>
    /// <param name="learnableWeights">Whether the mixture weights are trained (default false).</param>
    public MixturePrior(int components, int latentDim, bool learnableWeights = false) : base(nameof(MixturePrior))
    {
        if (components < 1) throw new ArgumentOutOfRangeException(nameof(components), components, "A mixture needs at least one component.");
        if (latentDim < 1) throw new ArgumentOutOfRangeException(nameof(latentDim), latentDim, "The latent dimension must be positive.");
        Components = components;
        LatentDim = latentDim;
        LearnableWeights = learnableWeights;
        // The scope disposes the temporaries; registration takes the results out of it.
        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            _means = AddParameter("means", torch.randn(components, latentDim) * (1.0 / Math.Sqrt((double)components * latentDim)));
            _logVars = AddParameter("log_vars", torch.randn(components, latentDim));
            _logits = learnableWeights
                ? AddParameter("logits", torch.zeros(components))
                : AddBuffer("logits", torch.zeros(components));
            _clipLower = AddBuffer("clip_lower", torch.zeros(latentDim));
            _clipUpper = AddBuffer("clip_upper", torch.zeros(latentDim));
            _clipEnabled = AddBuffer("clip_enabled", torch.zeros(Array.Empty<long>()));
        }
    }

    private Parameter AddParameter(string name, Tensor value)
    {
        var parameter = new Parameter(value);
        parameter.DetachFromDisposeScope();
        register_parameter(name, parameter);
        return parameter;
    }

    private Tensor AddBuffer(string name, Tensor value)
    {
        value.DetachFromDisposeScope();
        register_buffer(name, value);
        return value;
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
        using var scope = torch.NewDisposeScope();
        var logVars = _clipActive ? VarianceClipping.SmoothClamp(_logVars, _clipLower, _clipUpper) : _logVars.alias();
        var logWeights = _logits.log_softmax(0);
        return new MixturePriorParameters(_means.alias().MoveToOuterDisposeScope(), logVars.MoveToOuterDisposeScope(), logWeights.MoveToOuterDisposeScope());
    }

    /// <summary>Overwrites means, log-variances and (when given) logits, e.g. from encoder outputs; no autograd history is kept.</summary>
    public void SetComponents(Tensor means, Tensor logVars, Tensor? logits = null)
    {
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(logVars);
        if (!means.shape.SequenceEqual(_means.shape) || !logVars.shape.SequenceEqual(_logVars.shape))
            throw new ArgumentException(
                $"Expected means and log-variances [{Components}, {LatentDim}], got {means.ShapeString()} and {logVars.ShapeString()}.");
        if (logits is not null && !logits.shape.SequenceEqual(_logits.shape))
            throw new ArgumentException($"Expected logits [{Components}], got {logits.ShapeString()}.", nameof(logits));
        using (torch.no_grad())
        {
            _means.copy_(means);
            _logVars.copy_(logVars);
            if (logits is not null) _logits.copy_(logits);
        }
    }

    /// <summary>
    /// Freezes the clipping bounds from the current raw log-variances, l_j = min_k lv_kj and
    /// u_j = max_k lv_kj, and turns clipping on for every later read.
    /// </summary>
    public void FreezeClipBounds()
    {
        using (torch.no_grad())
        using (torch.NewDisposeScope())
        {
            _clipLower.copy_(_logVars.amin(0));
            _clipUpper.copy_(_logVars.amax(0));
            _clipEnabled.fill_(1);
        }
        _clipActive = true;
    }

    /// <summary>Re-reads the cached clipping flag from the "clip_enabled" buffer (after a state dict was loaded).</summary>
    public void RefreshFromState() => _clipActive = _clipEnabled.ItemAsDouble() != 0;

    /// <summary>Exact log p(z) per row of z [N, d], normalizing constants included: [N].</summary>
    public Tensor LogProb(Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        return MixturePriorDensity.LogDensity(z, CurrentParameters(), includeConstant: true).MoveToOuterDisposeScope();
    }

    /// <summary>n samples: a component k ~ Cat(w) per sample, then z = μ_k + σ_k ε (differentiable in μ and lv when grad mode is on).</summary>
    public Tensor Sample(long n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Sample count must be non-negative.");
        using var scope = torch.NewDisposeScope();
        var p = CurrentParameters();
        var indices = DrawComponents(p, n);
        var eps = torch.randn(new[] { n, LatentDim }, _means.dtype, _means.device);
        return SampleFrom(p, indices, eps).MoveToOuterDisposeScope();
    }

    /// <summary>Component indices [n] (int64) drawn from the weights of <paramref name="prior"/> with replacement (zeros for K = 1).</summary>
    public static Tensor DrawComponents(MixturePriorParameters prior, long n)
    {
        ArgumentNullException.ThrowIfNull(prior);
        if (prior.Components == 1 || n == 0) return torch.zeros(new[] { n }, ScalarType.Int64, prior.Means.device);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var weights = prior.LogWeights.exp();
        return torch.multinomial(weights, n, replacement: true).MoveToOuterDisposeScope();
    }

    /// <summary>The reparameterized samples μ_{k_i} + exp(½ lv_{k_i}) ⊙ ε_i for given components [n] and noise [n, d].</summary>
    public static Tensor SampleFrom(MixturePriorParameters prior, Tensor indices, Tensor noise)
    {
        ArgumentNullException.ThrowIfNull(prior);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(noise);
        using var scope = torch.NewDisposeScope();
        var means = prior.Means.index_select(0, indices);
        var std = (prior.LogVars.index_select(0, indices) * 0.5).exp();
        return (means + std * noise).MoveToOuterDisposeScope();
    }
}
