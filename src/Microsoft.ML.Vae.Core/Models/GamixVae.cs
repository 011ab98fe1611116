using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Core.Training;

/// <summary>
/// A GAMIX-VAE (algorithms spec §4, Rivera, "How to train your VAE") or its plain-KL baseline: a
/// pre-activation ResNet encoder and decoder with a standard normal prior. Like every family, its
/// public data are images in [0, 1]: <see cref="Encode"/> maps them to [−1, 1] (2x − 1) before the
/// encoder, and <see cref="Decode"/> maps the decoder's linear output y back with (y + 1)/2 (not
/// clamped; <see cref="IVaeModel.Observation"/>'s ToData clamps to [0, 1]). Losses are computed on the
/// [−1, 1] scale (<see cref="Forward"/>). Submodules "encoder" and "decoder"; the PatchGAN belongs to the
/// training program and is not saved. Saved and loaded by <see cref="ModelStore"/> through
/// <see cref="GamixFamily"/>; trained with <see cref="GamixTraining.CreateProgram(GamixVae, GamixOptions)"/>.
/// </summary>
public sealed class GamixVae : VaeModel
{
    private readonly GamixOptions _options;
    private readonly PreActResNetEncoder _encoder;
    private readonly PreActResNetDecoder _decoder;
    private readonly StandardNormalPrior _prior;
    private readonly GamixObservationModel _observation;

    /// <summary>Builds the networks described by <paramref name="options"/> (validated, copied) on <paramref name="device"/> (default the CPU).</summary>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    /// <exception cref="NotSupportedException"><paramref name="device"/> is a CUDA device but CUDA is not available.</exception>
    public GamixVae(GamixOptions options, Device? device = null)
        : base(options?.SampleShape ?? [], options?.LatentDim ?? 0)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (device is not null) Devices.EnsureAvailable(device);
        options.Validate();
        _options = options.Clone();
        NetworkConfig = _options.ToNetworkConfig();
        _encoder = new PreActResNetEncoder(NetworkConfig);
        register_module("encoder", _encoder);
        _decoder = new PreActResNetDecoder(NetworkConfig);
        register_module("decoder", _decoder);
        _prior = new StandardNormalPrior(_options.LatentDim, () => (Device, ParameterDType));
        long elements = _options.SampleShape.Aggregate(1L, (a, b) => a * b);
        _observation = new GamixObservationModel(_options.ReconstructionWeight, elements);
        if (device is not null) this.to(device);
    }

    /// <summary>A copy of the options the model was built with.</summary>
    public GamixOptions Options => _options.Clone();

    /// <inheritdoc />
    protected override object PersistedOptions => Options;

    /// <inheritdoc />
    public override string Kind => _options.Kind;

    /// <summary>The encoder/decoder geometry.</summary>
    public PreActResNetConfig NetworkConfig { get; }

    /// <summary>True for the plain-KL baseline ("gamix-baseline").</summary>
    public bool Baseline => _options.Baseline;

    /// <summary>Whether the model is (to be) trained with the PatchGAN.</summary>
    public bool PatchGan => _options.PatchGan;

    /// <summary>N(0, I), the prior GAMIX samples from.</summary>
    public override IPrior Prior => _prior;

    /// <summary>The Laplace likelihood implied by the MAE weight (see <see cref="GamixObservationModel"/>).</summary>
    public override IObservationModel Observation => _observation;

    /// <summary>The encoder (input on the [−1, 1] scale).</summary>
    public PreActResNetEncoder Encoder => _encoder;

    /// <summary>The decoder (linear output on the [−1, 1] scale).</summary>
    public PreActResNetDecoder Decoder => _decoder;

    /// <summary>Data in [0, 1] to the model's scale: 2x − 1.</summary>
    public static Tensor ToModelScale(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = torch.NewDisposeScope();
        return (x * 2.0 - 1.0).MoveToOuterDisposeScope();
    }

    /// <summary>The model's scale to data units: (y + 1)/2.</summary>
    public static Tensor ToDataScale(Tensor y)
    {
        ArgumentNullException.ThrowIfNull(y);
        using var scope = torch.NewDisposeScope();
        return ((y + 1.0) * 0.5).MoveToOuterDisposeScope();
    }

    /// <summary>Posterior mean and log-variance [N, d] of images [N, C, H, W] in [0, 1].</summary>
    public override (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        CheckData(x);
        using var scope = torch.NewDisposeScope();
        var (mean, logVar) = _encoder.forward(ToModelScale(x));
        return (mean.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope());
    }

    /// <summary>Decoded images [N, C, H, W] in [0, 1] units ((y + 1)/2 of the linear decoder output, not clamped).</summary>
    public override Tensor Decode(Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        return ToDataScale(DecodeToModelScale(z)).MoveToOuterDisposeScope();
    }

    /// <summary>The decoder's linear output on the [−1, 1] scale for latents [N, d].</summary>
    public Tensor DecodeToModelScale(Tensor z)
    {
        CheckLatents(z);
        return _decoder.forward(z);
    }


    /// <summary>Encodes images in [0, 1], draws one reparameterized z per image and decodes it; everything on the [−1, 1] scale.</summary>
    public GamixOutput Forward(Tensor x)
    {
        CheckData(x);
        using var scope = torch.NewDisposeScope();
        var target = ToModelScale(x);
        var (mean, logVar) = _encoder.forward(target);
        var z = DiagonalGaussian.Sample(mean, logVar);
        var reconstruction = _decoder.forward(z);
        return new GamixOutput(mean.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope(), z.MoveToOuterDisposeScope(),
            target.MoveToOuterDisposeScope(), reconstruction.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The VAE's loss on images <paramref name="x"/> in [0, 1] with its own options, without the adversarial
    /// term (that needs the training program's PatchGAN). See <see cref="GamixLoss"/>.
    /// </summary>
    public LossTerms Loss(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var terms = GamixLoss.Compute(_options, Forward(x), fakeLogits: null);
        terms.Total.MoveToOuterDisposeScope();
        foreach (var (_, value) in terms.Terms) value.MoveToOuterDisposeScope();
        return terms;
    }

}
