using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Core.Training;

/// <summary>
/// A dpVAE-family model (algorithms spec §1): a Gaussian encoder, a linear-output decoder and a prior
/// that is either N(0, I) or the decoupled RealNVP flow prior, regularized by one of the six
/// <see cref="Objectives.Regularizer"/>s. Submodules: "encoder", "decoder" and, with the decoupled
/// prior, "flow". Saved and loaded by <see cref="ModelStore"/> through <see cref="DpVaeFamily"/>. Train it with <see cref="DpVaeTraining.CreateProgram(DpVae, DpVaeOptions)"/>.
/// </summary>
/// <remarks>
/// <para>The encoder and decoder are either built from <see cref="DpVaeOptions.Network"/> or supplied by the
/// caller as TorchSharp modules (<see cref="DpVae(DpVaeOptions, nn.Module{Tensor, Tensor}, nn.Module{Tensor, Tensor}, Device?)"/>):
/// any regularizer, with or without the decoupled prior, trains such a model with the same programs.</para>
/// <para>A model with custom networks is saved by <see cref="ModelStore.Save(IVaeModel, string, TrainingHistory?)"/> like any
/// other (its options record <see cref="DpVaeOptions.CustomNetworks"/>), but a model file cannot describe the
/// architecture of arbitrary code: load it with <see cref="Load(string, nn.Module{Tensor, Tensor}, nn.Module{Tensor, Tensor}, Device?)"/>,
/// supplying freshly built networks of the same architecture. <see cref="ModelStore.Load(string, Device?, ModelRegistry?)"/>
/// refuses such a file with an <see cref="InvalidDataException"/> that says so.</para>
/// </remarks>
public sealed class DpVae : VaeModel
{
    private readonly DpVaeOptions _options;
    private readonly GaussianEncoder _encoder;
    private readonly nn.Module<Tensor, Tensor> _decoder;
    private readonly DecoupledFlowPrior? _flow;
    private readonly IGenerationSpacePrior _prior;
    private readonly GaussianObservationModel _observation;

    /// <summary>Builds the networks described by <paramref name="options"/> (validated, copied) on <paramref name="device"/> (default the CPU).</summary>
    /// <exception cref="ArgumentException">An option is invalid, or <see cref="DpVaeOptions.CustomNetworks"/> is set (supply the networks with the other constructor).</exception>
    /// <exception cref="NotSupportedException"><paramref name="device"/> is a CUDA device but CUDA is not available.</exception>
    public DpVae(DpVaeOptions options, Device? device = null)
        : base(options?.SampleShape ?? [], options?.LatentDim ?? 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (device is not null) Devices.EnsureAvailable(device);
        if (options.CustomNetworks)
            throw new ArgumentException(
                "The options describe a model with custom networks; supply the encoder and decoder to the DpVae(options, encoder, decoder) constructor or to DpVae.Load.",
                nameof(options));
        options.Validate();
        _options = options.Clone();
        var kind = NetworkFactory.Resolve(_options.SampleShape, _options.Network);
        // FactorVAE's released configs use their own convolutional pair.
        if (_options.Network == NetworkKind.Auto && kind == NetworkKind.DpConv && _options.Regularizer == Regularizer.Factor)
            kind = NetworkKind.FactorConv;
        NetworkKind = kind;
        var (encoder, decoder) = NetworkFactory.Create(_options.SampleShape, _options.LatentDim, kind, _options.MlpHiddenSizes, _options.MlpActivation);
        (_encoder, _decoder) = (encoder, decoder);
        (_flow, _prior, _observation) = Complete(device);
    }

    /// <summary>
    /// Builds a model around caller-supplied TorchSharp networks, e.g. a dp-β-TCVAE with a custom encoder.
    /// </summary>
    /// <param name="options">
    /// The regularizer, prior, loss weights and optimizer settings (validated, copied). <see cref="DpVaeOptions.LatentDim"/>
    /// and <see cref="DpVaeOptions.SampleShape"/> must match the networks; <see cref="DpVaeOptions.Network"/>,
    /// <see cref="DpVaeOptions.MlpHiddenSizes"/> and <see cref="DpVaeOptions.MlpActivation"/> are not used, and the
    /// model's <see cref="Options"/> have <see cref="DpVaeOptions.CustomNetworks"/> set.
    /// </param>
    /// <param name="encoder">
    /// Maps a batch [N, ..SampleShape] to 2·d features [N, 2·LatentDim]: the first d are the posterior mean,
    /// the last d its log-variance (the layout of <see cref="SplitGaussianEncoder"/>, which wraps it).
    /// </param>
    /// <param name="decoder">Maps latents [N, LatentDim] to the raw (linear) reconstruction [N, ..SampleShape].</param>
    /// <param name="device">
    /// Where the model lives: the networks are moved there and the flow prior is built there. Null means the device of
    /// the encoder's first parameter (the CPU for an encoder without parameters), so networks already on a GPU stay there.
    /// </param>
    /// <remarks>
    /// <para>Both networks are probed once with a batch of two zero samples (in evaluation mode, without
    /// gradients, each network's mode restored afterwards), so that a wrong output shape is reported here rather
    /// than in the middle of training. They become submodules of the model: their weights are saved under
    /// "encoder.body.…" and "decoder.…", they move with it, and it disposes them.</para>
    /// <para>Saving works as for any model; loading needs the networks again: see <see cref="Load(string, nn.Module{Tensor, Tensor}, nn.Module{Tensor, Tensor}, Device?)"/>.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">An option is invalid, or a network's output does not have the shape described above (the message gives both shapes).</exception>
    /// <exception cref="NotSupportedException"><paramref name="device"/> is a CUDA device but CUDA is not available.</exception>
    public DpVae(DpVaeOptions options, nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> decoder, Device? device = null)
        : base(options?.SampleShape ?? [], options?.LatentDim ?? 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (device is not null) Devices.EnsureAvailable(device);
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(decoder);
        if (ReferenceEquals(encoder, decoder)) throw new ArgumentException("The encoder and the decoder must be different modules.", nameof(decoder));
        _options = options.Clone();
        _options.CustomNetworks = true;
        _options.Validate();
        // Each network is moved by itself (a module moves only when its own recorded device differs), so that
        // the whole model ends up on one device whatever devices the networks came on.
        device ??= encoder.parameters().FirstOrDefault()?.device ?? torch.CPU;
        encoder.to(device);
        decoder.to(device);
        // Checked before anything is built, so that a failure leaves nothing to dispose and the networks with their owner.
        ProbeCustomNetworks(_options, encoder, decoder, device);
        NetworkKind = NetworkKind.Auto;
        (_encoder, _decoder) = (new SplitGaussianEncoder(encoder, _options.LatentDim), decoder);
        (_flow, _prior, _observation) = Complete(device);
        // The flow is built in float32; networks of another floating-point type take it along.
        if (_flow is not null && encoder.parameters().FirstOrDefault()?.dtype is { } dtype && dtype != _flow.parameters().First().dtype)
            _flow.to(dtype);
    }

    /// <summary>
    /// Loads a model file saved from a model with custom networks (<see cref="DpVaeOptions.CustomNetworks"/>), rebuilding it
    /// around <paramref name="encoder"/> and <paramref name="decoder"/>, which must have the architecture the file was
    /// saved with (freshly built; their weights are overwritten by the file's and they become part of the returned model).
    /// </summary>
    /// <param name="path">The model file (model.zip).</param>
    /// <param name="encoder">An encoder of the saved architecture (see <see cref="DpVae(DpVaeOptions, nn.Module{Tensor, Tensor}, nn.Module{Tensor, Tensor}, Device?)"/>).</param>
    /// <param name="decoder">A decoder of the saved architecture.</param>
    /// <param name="device">Where to load the weights (default the CPU).</param>
    /// <returns>The model, in evaluation mode.</returns>
    /// <remarks>When loading fails, the networks are disposed with the partly built model.</remarks>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is damaged, is not a dpVAE-family model, or its weights do not fit the networks (the message lists the
    /// missing and unexpected weight names, or the first shape that differs).
    /// </exception>
    public static DpVae Load(string path, nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> decoder, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        return (DpVae)ModelStore.Load(path, device, CustomNetworkRegistry(encoder, decoder));
    }

    /// <summary>Loads a model with custom networks from <paramref name="stream"/> (read from its start to its end; left open); see <see cref="Load(string, nn.Module{Tensor, Tensor}, nn.Module{Tensor, Tensor}, Device?)"/>.</summary>
    public static DpVae Load(Stream stream, nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> decoder, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return (DpVae)ModelStore.Load(stream, device, CustomNetworkRegistry(encoder, decoder));
    }

    /// <summary>A copy of the options the model was built with.</summary>
    public DpVaeOptions Options => _options.Clone();

    /// <inheritdoc />
    protected override object PersistedOptions => Options;

    /// <inheritdoc />
    public override string Kind => _options.Kind;

    /// <summary>The built-in encoder/decoder architecture (<see cref="NetworkKind.Auto"/> when <see cref="HasCustomNetworks"/>).</summary>
    public NetworkKind NetworkKind { get; }

    /// <summary>True when the encoder and decoder were supplied by the caller.</summary>
    public bool HasCustomNetworks => _options.CustomNetworks;

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

    /// <summary>The encoder network (a <see cref="SplitGaussianEncoder"/> around a custom encoder).</summary>
    public GaussianEncoder Encoder => _encoder;

    /// <summary>The decoder network.</summary>
    public nn.Module<Tensor, Tensor> Decoder => _decoder;

    /// <inheritdoc />
    public override IObservationModel Observation => _observation;

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


    /// <summary>Encodes, draws one reparameterized z per sample and decodes it.</summary>
    public DpVaeOutput Forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var (mean, logVar) = Encode(x);
        var z = DiagonalGaussian.Sample(mean, logVar);
        var reconstruction = _decoder.forward(z);
        return new DpVaeOutput(mean.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope(), z.MoveToOuterDisposeScope(),
            reconstruction.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// Training bookkeeping after a forward pass: the flow's <see cref="PosteriorNormalization"/> (when the model has
    /// one) uses the batch's latent statistics, with their gradients, until <see cref="EndTrainingBatch"/>, and
    /// updates its running estimates from them.
    /// </summary>
    public void ObserveTrainingBatch(DpVaeOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _flow?.Normalization?.BeginBatch(output.Z);
    }

    /// <summary>Ends what <see cref="ObserveTrainingBatch"/> began: the flow returns to its running normalization.</summary>
    public void EndTrainingBatch() => _flow?.Normalization?.EndBatch();

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
        using var scope = torch.NewDisposeScope();
        var (z0, _) = _flow.ToGenerationSpace(z);
        return DiagonalGaussian.StandardLogDensity(z0).sum(1).MoveToOuterDisposeScope();
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

    /// <summary>Registers the networks (and the flow) in their fixed order, builds the prior and moves everything to <paramref name="device"/>.</summary>
    private (DecoupledFlowPrior? Flow, IGenerationSpacePrior Prior, GaussianObservationModel Observation) Complete(Device? device)
    {
        register_module("encoder", _encoder);
        register_module("decoder", _decoder);
        DecoupledFlowPrior? flow = null;
        IGenerationSpacePrior prior;
        if (_options.DecoupledPrior)
        {
            flow = new DecoupledFlowPrior(_options.LatentDim, _options.FlowBlocks, _options.FlowHidden, _options.MaskPercent, _options.PosteriorNormalization);
            register_module("flow", flow);
            prior = flow;
        }
        else
        {
            prior = new StandardNormalPrior(_options.LatentDim, () => (Device, ParameterDType));
        }
        var observation = new GaussianObservationModel(_options.MseWeight, clampToUnitRange: _options.SampleShape.Length == 3);
        if (device is not null) this.to(device);
        return (flow, prior, observation);
    }

    /// <summary>Runs both custom networks once on zeros (on <paramref name="device"/>, of their first parameter's dtype) and checks their output shapes.</summary>
    private static void ProbeCustomNetworks(DpVaeOptions options, nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> decoder, Device device)
    {
        string sample = string.Join(", ", options.SampleShape);
        int d = options.LatentDim;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var features = Probe(encoder, "encoder", new long[] { 2 }.Concat(options.SampleShape).ToArray(), device);
        if (features.dim() != 2 || features.size(0) != 2 || features.size(1) != 2L * d)
            throw new ArgumentException(
                $"The encoder must map a batch [N, {sample}] to [N, {2 * d}] features (the first {d} the posterior mean, the last {d} its log-variance), " +
                $"but it maps [2, {sample}] to [{string.Join(", ", features.shape)}].", nameof(encoder));
        var decoded = Probe(decoder, "decoder", [2, d], device);
        if (!decoded.shape.SequenceEqual(new long[] { 2 }.Concat(options.SampleShape)))
            throw new ArgumentException(
                $"The decoder must map latents [N, {d}] to reconstructions [N, {sample}], but it maps [2, {d}] to [{string.Join(", ", decoded.shape)}].",
                nameof(decoder));
    }

    /// <summary>The output of <paramref name="network"/> in evaluation mode for zeros of <paramref name="shape"/>; its mode is restored.</summary>
    private static Tensor Probe(nn.Module<Tensor, Tensor> network, string role, long[] shape, Device device)
    {
        var dtype = network.parameters().FirstOrDefault()?.dtype ?? ScalarType.Float32;
        var input = torch.zeros(shape, dtype: dtype, device: device);
        bool training = network.training;
        network.eval();
        try
        {
            return network.forward(input);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new ArgumentException($"The {role} failed on a probe batch [{string.Join(", ", shape)}]: {ex.Message}", role, ex);
        }
        finally
        {
            network.train(training);
        }
    }

    private static ModelRegistry CustomNetworkRegistry(nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> decoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(decoder);
        var registry = new ModelRegistry();
        registry.Register(new CustomNetworkFamily(encoder, decoder));
        return registry;
    }

    /// <summary>Builds the dpVAE-family model of a file around the networks given to <see cref="Load(string, nn.Module{Tensor, Tensor}, nn.Module{Tensor, Tensor}, Device?)"/>.</summary>
    private sealed class CustomNetworkFamily(nn.Module<Tensor, Tensor> encoder, nn.Module<Tensor, Tensor> decoder) : IModelFamily
    {
        public IReadOnlyCollection<string> Kinds => DpVaeKinds.All.ToArray();

        public IPersistableModel Create(ModelConfig config, Device device)
        {
            ArgumentNullException.ThrowIfNull(config);
            return new DpVae(config.GetOptions<DpVaeOptions>(o => o.Kind), encoder, decoder, device);
        }
    }
}
