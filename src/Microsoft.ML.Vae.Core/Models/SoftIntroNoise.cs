using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// Every random draw of one introspective iteration, made up front in a fixed order so that two
/// implementations of the step (shared and literal) can be fed identical randomness. Tensors belong to
/// the caller's dispose scope. Monte-Carlo noise is null when the model uses the closed-form KL.
/// </summary>
public sealed class SoftIntroNoise
{
    private SoftIntroNoise() { }

    /// <summary>Component indices [B] of the fake latents (null for N(0, I)).</summary>
    public Tensor? FakeComponents { get; private init; }

    /// <summary>Standard-normal noise [B, d] of the fake latents z_f (the "noise batch", shared by both steps).</summary>
    public required Tensor Fake { get; init; }

    /// <summary>Reparameterization noise [B, d] of the real posterior.</summary>
    public required Tensor Real { get; init; }

    /// <summary>Reparameterization noise [B, d] of the fakes' posterior in the encoder step.</summary>
    public required Tensor EncoderFake { get; init; }

    /// <summary>Reparameterization noise [B, d] of the reconstructions' posterior in the encoder step.</summary>
    public required Tensor EncoderRec { get; init; }

    /// <summary>Reparameterization noise [B, d] of the reconstructions' posterior in the decoder step.</summary>
    public required Tensor DecoderRec { get; init; }

    /// <summary>Reparameterization noise [B, d] of the fakes' posterior in the decoder step.</summary>
    public required Tensor DecoderFake { get; init; }

    /// <summary>Fresh fake-latent noise [B, d] for the decoder step (only with <see cref="SoftIntroOptions.ResampleFakesForDecoder"/>).</summary>
    public Tensor? ResampledFake { get; private init; }

    /// <summary>Component indices [B] of the resampled fake latents (learned prior with resampling only).</summary>
    public Tensor? ResampledComponents { get; private init; }

    /// <summary>Monte-Carlo noise [M, B, d] of KL(q(z|x) ‖ p) in the encoder step.</summary>
    public KlNoise? KlReal { get; private init; }

    /// <summary>Monte-Carlo noise [M, B, d] of the fakes' KL in the encoder step.</summary>
    public KlNoise? KlEncoderFake { get; private init; }

    /// <summary>Monte-Carlo noise [M, B, d] of the reconstructions' KL in the encoder step.</summary>
    public KlNoise? KlEncoderRec { get; private init; }

    /// <summary>Monte-Carlo noise [M, B, d] of the reconstructions' KL in the decoder step.</summary>
    public KlNoise? KlDecoderRec { get; private init; }

    /// <summary>Monte-Carlo noise [M, B, d] of the fakes' KL in the decoder step.</summary>
    public KlNoise? KlDecoderFake { get; private init; }

    /// <summary>Monte-Carlo noise [M, B, d] of the trainable prior's real-data KL in the decoder step.</summary>
    public KlNoise? KlPrior { get; private init; }

    /// <summary>
    /// Draws the noise of one iteration with batch size <paramref name="batch"/> for <paramref name="model"/>:
    /// component indices from <paramref name="prior"/>'s weights (when a mixture), then one [7, B, d] normal
    /// draw, then six [M, B, d] draws for the Monte-Carlo KLs in one call (<see cref="KlNoise.Draw"/>).
    /// </summary>
    public static SoftIntroNoise Draw(SoftIntroVae model, long batch, MixturePriorParameters? prior)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "The batch must hold at least one sample.");
        var options = model.Options;
        long d = model.LatentDim;
        bool resample = options.ResampleFakesForDecoder;
        var components = prior is null ? null : MixturePrior.DrawComponents(prior, batch);
        var resampledComponents = prior is not null && resample ? MixturePrior.DrawComponents(prior, batch) : null;
        var normal = torch.randn([7, batch, d], dtype: model.DType, device: model.Device);
        var mc = model.UsesMonteCarloKl ? KlNoise.Draw(6, options.KlSamples, batch, d, model.DType, model.Device) : null;
        return new SoftIntroNoise
        {
            FakeComponents = components,
            Fake = normal.select(0, 0),
            Real = normal.select(0, 1),
            EncoderFake = normal.select(0, 2),
            EncoderRec = normal.select(0, 3),
            DecoderRec = normal.select(0, 4),
            DecoderFake = normal.select(0, 5),
            ResampledFake = resample ? normal.select(0, 6) : null,
            ResampledComponents = resampledComponents,
            KlReal = mc?[0],
            KlEncoderFake = mc?[1],
            KlEncoderRec = mc?[2],
            KlDecoderRec = mc?[3],
            KlDecoderFake = mc?[4],
            KlPrior = mc?[5],
        };
    }

    /// <summary>The fake latents z_f = μ_k + σ_k ε (or ε itself for N(0, I)) for the given prior parameters.</summary>
    public Tensor FakeLatents(MixturePriorParameters? prior) => Latents(prior, FakeComponents, Fake);

    /// <summary>The decoder step's resampled fake latents (requires <see cref="SoftIntroOptions.ResampleFakesForDecoder"/>).</summary>
    public Tensor ResampledFakeLatents(MixturePriorParameters? prior) =>
        Latents(prior, ResampledComponents, ResampledFake ?? throw new InvalidOperationException("No resampled fake noise was drawn."));

    private static Tensor Latents(MixturePriorParameters? prior, Tensor? components, Tensor noise) =>
        prior is null ? noise.alias() : MixturePrior.SampleFrom(prior, components!, noise);
}
