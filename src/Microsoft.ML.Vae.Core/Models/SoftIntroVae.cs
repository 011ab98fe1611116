using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// A Soft-IntroVAE (algorithms spec §2) with an optional learned prior (§3): a Gaussian encoder, a
/// linear-output decoder and N(0, I), a learnable mixture of Gaussians, or a VampPrior that becomes a
/// mixture before the introspective phase. Submodules: "encoder", "decoder", and for learned priors
/// "prior" (<see cref="Priors.MixturePrior"/>) and, for the VampPrior, "vamp" (<see cref="Priors.VampPrior"/>)
/// plus the buffer "vamp_converted". Saved and loaded by <see cref="ModelStore"/> through
/// <see cref="SoftIntroFamily"/>; trained with <see cref="SoftIntroTraining.CreateProgram(SoftIntroVae, SoftIntroOptions?)"/>.
/// </summary>
/// <remarks>
/// The likelihood reported through <see cref="Observation"/> is the unit-variance Gaussian of the
/// prior-learning evaluation (−log p(x|z) = ½·SSE + (D/2)·log 2π). Whether the VampPrior has been
/// converted and whether variance clipping is on are cached from buffers; they are refreshed by
/// <see cref="LoadStateDict"/> and <see cref="RefreshFromState"/> (call the latter after loading weights
/// with TorchSharp's own <c>load_state_dict</c>).
/// </remarks>
public sealed class SoftIntroVae : VaeModel, IPersistableModel
{
    private const string VampConvertedBuffer = "vamp_converted";
    private readonly SoftIntroOptions _options;
    private readonly GaussianEncoder _encoder;
    private readonly nn.Module<Tensor, Tensor> _decoder;
    private readonly MixturePrior? _mixture;
    private readonly VampPrior? _vamp;
    private readonly IPrior _prior;
    private readonly GaussianObservationModel _observation;
    private bool _converted;

    /// <summary>Builds the networks and prior described by <paramref name="options"/> (validated, copied) on <paramref name="device"/> (default the CPU).</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="NotSupportedException"><paramref name="device"/> is a CUDA device but CUDA is not available.</exception>
    public SoftIntroVae(SoftIntroOptions options, Device? device = null)
        : base(options?.SampleShape ?? [], options?.LatentDim ?? 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (device is not null) Devices.EnsureAvailable(device);
        options.Validate();
        _options = options.Clone();
        NetworkKind = _options.ResolveNetwork();
        (_encoder, _decoder) = SoftIntroNetworks.Create(_options);
        register_module("encoder", _encoder);
        register_module("decoder", _decoder);
        if (_options.LearnedPrior)
        {
            _mixture = new MixturePrior(_options.Components, _options.LatentDim, _options.LearnableWeights);
            register_module("prior", _mixture);
            if (_options.PriorKind == SoftIntroPriorKind.Vamp)
            {
                _vamp = new VampPrior(_options.Components, _options.SampleShape, clampToUnitInterval: _options.SampleShape.Length == 3);
                register_module("vamp", _vamp);
                // The flag is read through get_buffer: Module.to replaces buffers, so a field would go stale.
                register_buffer(VampConvertedBuffer, torch.zeros(Array.Empty<long>()).DetachFromDisposeScope());
            }
            _prior = new SoftIntroPrior(this);
        }
        else
        {
            _prior = new StandardNormalPrior(_options.LatentDim, () => (Device, ParameterDType));
        }
        UsesBatchStatistics = ContainsBatchNorm(_encoder) || ContainsBatchNorm(_decoder);
        _observation = new GaussianObservationModel(0.5, clampToUnitRange: _options.SampleShape.Length == 3);
        if (device is not null) this.to(device);
    }

    /// <summary>A copy of the options the model was built with.</summary>
    public SoftIntroOptions Options => _options.Clone();

    /// <inheritdoc />
    protected override object PersistedOptions => Options;

    /// <inheritdoc />
    public override string Kind => SoftIntroOptions.ModelKind;

    /// <summary>The prior family.</summary>
    public SoftIntroPriorKind PriorKind => _options.PriorKind;

    /// <summary>The encoder/decoder architecture built.</summary>
    public SoftIntroNetwork NetworkKind { get; }

    /// <summary>True when a network normalizes with batch statistics (BatchNorm), so batches must not be merged.</summary>
    public bool UsesBatchStatistics { get; }

    /// <summary>Element type of the weights.</summary>
    public ScalarType DType => ParameterDType;

    /// <summary>The prior: <see cref="StandardNormalPrior"/>, or a view of the learned prior's current parameters.</summary>
    public override IPrior Prior => _prior;

    /// <inheritdoc />
    public override IObservationModel Observation => _observation;

    /// <summary>The encoder network.</summary>
    public GaussianEncoder Encoder => _encoder;

    /// <summary>The decoder network.</summary>
    public nn.Module<Tensor, Tensor> Decoder => _decoder;

    /// <summary>The learned mixture (null for the standard prior); with a VampPrior it receives the components at conversion.</summary>
    public MixturePrior? MixturePrior => _mixture;

    /// <summary>The VampPrior pseudo-inputs (null unless <see cref="SoftIntroPriorKind.Vamp"/>).</summary>
    public VampPrior? VampPrior => _vamp;

    /// <summary>True while the VampPrior (not yet converted to a mixture) defines the prior.</summary>
    public bool VampActive => _vamp is not null && !_converted;

    /// <summary>Encoder parameters (the encoder player's optimizer).</summary>
    public IReadOnlyList<Parameter> EncoderParameters => _encoder.parameters().ToList();

    /// <summary>Decoder parameters (the decoder player's optimizer).</summary>
    public IReadOnlyList<Parameter> DecoderParameters => _decoder.parameters().ToList();

    /// <summary>Prior parameters (means, log-variances, learnable logits, pseudo-inputs); empty for the standard prior.</summary>
    public IReadOnlyList<Parameter> PriorParameters =>
        (_mixture?.parameters() ?? []).Concat(_vamp?.parameters() ?? []).ToList();

    /// <summary>True when KL terms are Monte-Carlo estimates (learned prior, or N(0, I) without <see cref="SoftIntroOptions.AnalyticStandardKl"/>).</summary>
    public bool UsesMonteCarloKl => _options.LearnedPrior || !_options.AnalyticStandardKl;

    /// <inheritdoc />
    public override (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        CheckData(x);
        return _encoder.forward(x);
    }

    /// <inheritdoc />
    public override Tensor Decode(Tensor z)
    {
        CheckLatents(z);
        return _decoder.forward(z);
    }


    /// <summary>
    /// The current prior as mixture parameters (null for N(0, I)): the VampPrior's encoded pseudo-inputs
    /// before conversion, otherwise the mixture with clipped log-variances. Differentiable when grad mode is on.
    /// </summary>
    public MixturePriorParameters? CurrentPriorParameters()
    {
        if (_mixture is null) return null;
        if (!VampActive) return _mixture.CurrentParameters();
        using var scope = torch.NewDisposeScope();
        var (means, logVars) = _vamp!.EncodeComponents(_encoder);
        var logWeights = _mixture.Logits.log_softmax(0);
        return new MixturePriorParameters(means.MoveToOuterDisposeScope(), logVars.MoveToOuterDisposeScope(), logWeights.MoveToOuterDisposeScope());
    }

    /// <summary><paramref name="n"/> latents from the current prior (differentiable in a learned prior's parameters when grad mode is on).</summary>
    public Tensor SamplePriorLatents(long n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Sample count must be non-negative.");
        using var scope = torch.NewDisposeScope();
        var prior = CurrentPriorParameters();
        if (prior is null) return torch.randn(n, LatentDim, dtype: DType, device: Device).MoveToOuterDisposeScope();
        var indices = Priors.MixturePrior.DrawComponents(prior, n);
        var eps = torch.randn(n, LatentDim, dtype: DType, device: Device);
        return Priors.MixturePrior.SampleFrom(prior, indices, eps).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// KL(q(z|x) ‖ prior) per sample [B] for posterior parameters [B, d]: closed form for N(0, I) with
    /// <see cref="SoftIntroOptions.AnalyticStandardKl"/>, otherwise the Monte-Carlo estimate with
    /// <paramref name="noise"/> [M, B, d] (drawn with <see cref="SoftIntroOptions.KlSamples"/> samples when null).
    /// <paramref name="prior"/> null means N(0, I); pass detached parameters for a stop-gradient target.
    /// </summary>
    public MixtureKlEstimate KlToPrior(Tensor mean, Tensor logVar, MixturePriorParameters? prior, KlNoise? noise = null, bool withUsage = false)
    {
        ArgumentNullException.ThrowIfNull(mean);
        if (prior is null && _options.AnalyticStandardKl && !withUsage)
            return new MixtureKlEstimate(Kl.StandardNormal(mean, logVar), null);
        using var scope = torch.NewDisposeScope();
        var eps = noise ?? MixturePriorKl.DrawKlNoise(mean, _options.KlSamples);
        var estimate = MixturePriorKl.Estimate(mean, logVar, prior, eps, withUsage);
        return new MixtureKlEstimate(estimate.PerSample.MoveToOuterDisposeScope(), estimate.MeanUsage?.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Initializes a learned prior from training samples [N, ..SampleShape] (N ≥ K for "data"):
    /// mixture components = encoder outputs on the first K samples, VampPrior pseudo-inputs = the first K
    /// samples ("data"), or pseudo-inputs from the samples' mean and standard deviation ("random"; a
    /// random mixture is already initialized). Does nothing for the standard prior.
    /// </summary>
    public void InitializePrior(Tensor samples)
    {
        CheckData(samples);
        if (_mixture is null) return;
        if (_vamp is not null)
        {
            if (_options.PriorInit == SoftIntroPriorInit.Data) _vamp.InitializeFromData(samples);
            else _vamp.InitializeRandom(samples);
            return;
        }
        if (_options.PriorInit != SoftIntroPriorInit.Data) return;
        if (samples.size(0) < _options.Components)
            throw new ArgumentException($"Initializing {_options.Components} mixture components from data needs at least {_options.Components} samples, got {samples.size(0)}.", nameof(samples));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var first = samples.narrow(0, 0, _options.Components).to(DType, Device);
        var (mean, logVar) = _encoder.forward(first);
        _mixture.SetComponents(mean, logVar);
    }

    /// <summary>
    /// Replaces the VampPrior by a mixture with μ_k, lv_k = encoder(u_k) (weights kept), as the reference
    /// does <see cref="SoftIntroOptions.VampConversionLead"/> iterations before the warm-up ends.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model has no VampPrior or it was already converted.</exception>
    public void ConvertVampToMixture()
    {
        if (_vamp is null) throw new InvalidOperationException($"Only a VampPrior can be converted; this model's prior is {PriorKind}.");
        if (_converted) throw new InvalidOperationException("The VampPrior has already been converted to a mixture.");
        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            var (means, logVars) = _vamp.EncodeComponents(_encoder);
            _mixture!.SetComponents(means, logVars);
            VampConvertedFlag!.fill_(1);
        }
        _converted = true;
    }

    /// <summary>Freezes the variance-clipping bounds of the learned mixture from its current log-variances (spec §3.4).</summary>
    public void FreezeVarianceClipBounds()
    {
        if (_mixture is null) throw new InvalidOperationException("The standard prior has no variances to clip.");
        if (VampActive) throw new InvalidOperationException("Convert the VampPrior to a mixture before freezing its variance bounds.");
        _mixture.FreezeClipBounds();
    }

    /// <summary>Re-reads the cached VampPrior-conversion and clipping flags from their buffers (after loading a state dict through a base reference).</summary>
    public void RefreshFromState()
    {
        if (VampConvertedFlag is { } flag) _converted = flag.ItemAsDouble() != 0;
        _mixture?.RefreshFromState();
    }

    /// <summary>Loads weights and buffers (see <see cref="VaeModel.LoadStateDict"/>) and refreshes the cached prior flags.</summary>
    public override void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        base.LoadStateDict(state, strict);
        RefreshFromState();
    }

    /// <summary>The "vamp_converted" buffer (1 once the VampPrior is converted), or null without a VampPrior.</summary>
    private Tensor? VampConvertedFlag => _vamp is null ? null : get_buffer(VampConvertedBuffer);

    private static bool ContainsBatchNorm(nn.Module module) =>
        module is BatchNorm || module.named_children().Any(c => ContainsBatchNorm(c.Item2));
}
