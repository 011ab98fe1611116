namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

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
/// <see cref="LoadStateDict"/> and <see cref="RefreshFromState"/>.
/// </remarks>
public sealed class SoftIntroVae : VaeModel, IPersistableModel
{
    private readonly SoftIntroOptions _options;
    private readonly GaussianEncoder _encoder;
    private readonly Layer _decoder;
    private readonly MixturePrior? _mixture;
    private readonly VampPrior? _vamp;
    private readonly Tensor? _vampConverted;
    private readonly IPrior _prior;
    private readonly GaussianObservationModel _observation;
    private bool _converted;

    /// <summary>Builds the networks and prior described by <paramref name="options"/> (validated, copied) on <paramref name="device"/>.</summary>
    public SoftIntroVae(SoftIntroOptions options, Device device = default)
        : base(options?.SampleShape ?? [], options?.LatentDim ?? 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        NetworkKind = _options.ResolveNetwork();
        var (encoder, decoder) = SoftIntroNetworks.Create(_options);
        _encoder = RegisterModule("encoder", encoder);
        _decoder = RegisterModule("decoder", decoder);
        if (_options.LearnedPrior)
        {
            _mixture = RegisterModule("prior", new MixturePrior(_options.Components, _options.LatentDim, _options.LearnableWeights));
            if (_options.PriorKind == SoftIntroPriorKind.Vamp)
            {
                _vamp = RegisterModule("vamp", new VampPrior(_options.Components, _options.SampleShape, clampToUnitInterval: _options.SampleShape.Length == 3));
                using (Torch.NewDisposeScope()) _vampConverted = RegisterBuffer("vamp_converted", Torch.Zeros([]));
            }
            _prior = new SoftIntroPrior(this);
        }
        else
        {
            _prior = new StandardNormalPrior(_options.LatentDim, () => (Device, Parameters()[0].DType));
        }
        UsesBatchStatistics = ContainsBatchNorm(_encoder) || ContainsBatchNorm(_decoder);
        _observation = new GaussianObservationModel(0.5, clampToUnitRange: _options.SampleShape.Length == 3);
        if (device.Type != DeviceType.Cpu) To(device);
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
    public DType DType => Parameters()[0].DType;

    /// <summary>The prior: <see cref="StandardNormalPrior"/>, or a view of the learned prior's current parameters.</summary>
    public override IPrior Prior => _prior;

    /// <inheritdoc />
    public override IObservationModel Observation => _observation;

    /// <summary>The encoder network.</summary>
    public GaussianEncoder Encoder => _encoder;

    /// <summary>The decoder network.</summary>
    public Layer Decoder => _decoder;

    /// <summary>The learned mixture (null for the standard prior); with a VampPrior it receives the components at conversion.</summary>
    public MixturePrior? MixturePrior => _mixture;

    /// <summary>The VampPrior pseudo-inputs (null unless <see cref="SoftIntroPriorKind.Vamp"/>).</summary>
    public VampPrior? VampPrior => _vamp;

    /// <summary>True while the VampPrior (not yet converted to a mixture) defines the prior.</summary>
    public bool VampActive => _vamp is not null && !_converted;

    /// <summary>Encoder parameters (the encoder player's optimizer).</summary>
    public IReadOnlyList<Tensor> EncoderParameters => _encoder.Parameters();

    /// <summary>Decoder parameters (the decoder player's optimizer).</summary>
    public IReadOnlyList<Tensor> DecoderParameters => _decoder.Parameters();

    /// <summary>Prior parameters (means, log-variances, learnable logits, pseudo-inputs); empty for the standard prior.</summary>
    public IReadOnlyList<Tensor> PriorParameters =>
        (_mixture?.Parameters() ?? []).Concat(_vamp?.Parameters() ?? []).ToList();

    /// <summary>True when KL terms are Monte-Carlo estimates (learned prior, or N(0, I) without <see cref="SoftIntroOptions.AnalyticStandardKl"/>).</summary>
    public bool UsesMonteCarloKl => _options.LearnedPrior || !_options.AnalyticStandardKl;

    /// <inheritdoc />
    public override (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        CheckData(x);
        return _encoder.Forward(x);
    }

    /// <inheritdoc />
    public override Tensor Decode(Tensor z)
    {
        CheckLatents(z);
        return _decoder.Forward(z);
    }


    /// <summary>
    /// The current prior as mixture parameters (null for N(0, I)): the VampPrior's encoded pseudo-inputs
    /// before conversion, otherwise the mixture with clipped log-variances. Differentiable when grad mode is on.
    /// </summary>
    public MixturePriorParameters? CurrentPriorParameters()
    {
        if (_mixture is null) return null;
        if (!VampActive) return _mixture.CurrentParameters();
        using var scope = Torch.NewDisposeScope();
        var (means, logVars) = _vamp!.EncodeComponents(_encoder);
        var logWeights = _mixture.Logits.LogSoftmax(0);
        return new MixturePriorParameters(means.MoveToOuterScope(), logVars.MoveToOuterScope(), logWeights.MoveToOuterScope());
    }

    /// <summary><paramref name="n"/> latents from the current prior (differentiable in a learned prior's parameters when grad mode is on).</summary>
    public Tensor SamplePriorLatents(long n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "Sample count must be non-negative.");
        using var scope = Torch.NewDisposeScope();
        var prior = CurrentPriorParameters();
        if (prior is null) return Torch.Randn([n, LatentDim], DType, Device).MoveToOuterScope();
        var indices = Priors.MixturePrior.DrawComponents(prior, n);
        var eps = Torch.Randn([n, LatentDim], DType, Device);
        return Priors.MixturePrior.SampleFrom(prior, indices, eps).MoveToOuterScope();
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
        using var scope = Torch.NewDisposeScope();
        var eps = noise ?? MixturePriorKl.DrawKlNoise(mean, _options.KlSamples);
        var estimate = MixturePriorKl.Estimate(mean, logVar, prior, eps, withUsage);
        return new MixtureKlEstimate(estimate.PerSample.MoveToOuterScope(), estimate.MeanUsage?.MoveToOuterScope());
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
        if (samples.Size(0) < _options.Components)
            throw new ArgumentException($"Initializing {_options.Components} mixture components from data needs at least {_options.Components} samples, got {samples.Size(0)}.", nameof(samples));
        using var scope = Torch.NewDisposeScope();
        using var noGrad = Torch.NoGrad();
        var first = samples.Narrow(0, 0, _options.Components).To(DType, Device);
        var (mean, logVar) = _encoder.Forward(first);
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
        using (Torch.NewDisposeScope())
        using (Torch.NoGrad())
        {
            var (means, logVars) = _vamp.EncodeComponents(_encoder);
            _mixture!.SetComponents(means, logVars);
            _vampConverted!.Fill_(1);
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
        if (_vampConverted is not null) _converted = _vampConverted.Item() != 0;
        _mixture?.RefreshFromState();
    }

    /// <summary>Loads weights and buffers (see <see cref="Module.LoadStateDict"/>) and refreshes the cached prior flags.</summary>
    public new void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        base.LoadStateDict(state, strict);
        RefreshFromState();
    }


    private static bool ContainsBatchNorm(Module module) =>
        module is BatchNorm || module.NamedChildren().Any(c => ContainsBatchNorm(c.Module));
}
