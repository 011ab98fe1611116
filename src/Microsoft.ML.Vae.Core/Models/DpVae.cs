namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

/// <summary>
/// A dpVAE-family model (algorithms spec §1): a Gaussian encoder, a linear-output decoder and a prior
/// that is either N(0, I) or the decoupled RealNVP flow prior, regularized by one of the six
/// <see cref="Objectives.Regularizer"/>s. Submodules: "encoder", "decoder" and, with the decoupled
/// prior, "flow". Saved and loaded by <see cref="ModelStore"/> through <see cref="DpVaeFamily"/>. Train it with <see cref="DpVaeTraining.CreateProgram(DpVae, DpVaeOptions)"/>.
/// </summary>
public sealed class DpVae : VaeModel
{
    private readonly DpVaeOptions _options;
    private readonly GaussianEncoder _encoder;
    private readonly Layer _decoder;
    private readonly DecoupledFlowPrior? _flow;
    private readonly IGenerationSpacePrior _prior;
    private readonly GaussianObservationModel _observation;

    /// <summary>Builds the networks described by <paramref name="options"/> (validated, copied) on <paramref name="device"/>.</summary>
    public DpVae(DpVaeOptions options, Device device = default)
        : base(options?.SampleShape ?? [], options?.LatentDim ?? 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
        var kind = NetworkFactory.Resolve(_options.SampleShape, _options.Network);
        // FactorVAE's released configs use their own convolutional pair.
        if (_options.Network == NetworkKind.Auto && kind == NetworkKind.DpConv && _options.Regularizer == Regularizer.Factor)
            kind = NetworkKind.FactorConv;
        NetworkKind = kind;
        var (encoder, decoder) = NetworkFactory.Create(_options.SampleShape, _options.LatentDim, kind, _options.MlpHiddenSizes, _options.MlpActivation);
        _encoder = RegisterModule("encoder", encoder);
        _decoder = RegisterModule("decoder", decoder);
        if (_options.DecoupledPrior)
        {
            _flow = RegisterModule("flow", new DecoupledFlowPrior(_options.LatentDim, _options.FlowBlocks, _options.FlowHidden, _options.MaskPercent));
            _prior = _flow;
        }
        else
        {
            _prior = new StandardNormalPrior(_options.LatentDim, () => (Device, Parameters()[0].DType));
        }
        _observation = new GaussianObservationModel(_options.MseWeight, clampToUnitRange: _options.SampleShape.Length == 3);
        if (device.Type != DeviceType.Cpu) To(device);
    }

    /// <summary>A copy of the options the model was built with.</summary>
    public DpVaeOptions Options => _options.Clone();

    /// <inheritdoc />
    protected override object PersistedOptions => Options;

    /// <inheritdoc />
    public override string Kind => _options.Kind;

    /// <summary>The encoder/decoder architecture actually built.</summary>
    public NetworkKind NetworkKind { get; }

    /// <summary>The regularizer.</summary>
    public Regularizer Regularizer => _options.Regularizer;

    /// <summary>Whether the prior is the decoupled flow prior.</summary>
    public bool DecoupledPrior => _options.DecoupledPrior;

    /// <inheritdoc />
    public override IPrior Prior => _prior;

    /// <summary>The prior with its map to the generation space (identity for N(0, I)).</summary>
    public IGenerationSpacePrior GenerationPrior => _prior;

    /// <summary>The flow of the decoupled prior, or null.</summary>
    public DecoupledFlowPrior? Flow => _flow;

    /// <summary>The encoder network.</summary>
    public GaussianEncoder Encoder => _encoder;

    /// <summary>The decoder network.</summary>
    public Layer Decoder => _decoder;

    /// <inheritdoc />
    public override IObservationModel Observation => _observation;

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


    /// <summary>Encodes, draws one reparameterized z per sample and decodes it.</summary>
    public DpVaeOutput Forward(Tensor x)
    {
        using var scope = Torch.NewDisposeScope();
        var (mean, logVar) = Encode(x);
        var z = DiagonalGaussian.Sample(mean, logVar);
        var reconstruction = _decoder.Forward(z);
        return new DpVaeOutput(mean.MoveToOuterScope(), logVar.MoveToOuterScope(), z.MoveToOuterScope(), reconstruction.MoveToOuterScope());
    }

    /// <summary>
    /// The KL slot of every regularizer, per sample ([N]): the closed form KL to N(0, I), or with the
    /// decoupled prior the single-sample estimate of spec §1.3 at the forward pass's z.
    /// </summary>
    public Tensor KlPerSample(DpVaeOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return _flow is null
            ? Kl.StandardNormal(output.Mean, output.LogVar)
            : Kl.DecoupledSingleSample(_flow, output.Z, output.LogVar);
    }

    /// <summary>
    /// log p(z) for β-TCVAE's dimension-wise KL ([N]): log N(z; 0, I), or with the decoupled prior
    /// log N(g(z); 0, I) + log|det ∂g/∂z| (without the log-determinant when <paramref name="omitFlowLogDet"/>).
    /// </summary>
    public Tensor PriorLogDensityForTc(Tensor z, bool omitFlowLogDet)
    {
        if (_flow is null || !omitFlowLogDet) return _prior.LogProb(z);
        using var scope = Torch.NewDisposeScope();
        var (z0, _) = _flow.ToGenerationSpace(z);
        return DiagonalGaussian.StandardLogDensity(z0).Sum(1).MoveToOuterScope();
    }

    /// <summary>
    /// The model's loss on <paramref name="x"/> at 1-based iteration <paramref name="step"/> with its own
    /// options (FactorVAE needs its <paramref name="discriminator"/>). See <see cref="DpVaeLoss"/>.
    /// </summary>
    public LossTerms Loss(Tensor x, long step, FactorDiscriminator? discriminator = null)
    {
        var output = Forward(x);
        return DpVaeLoss.Compute(this, _options, output, x, step, discriminator);
    }

}
