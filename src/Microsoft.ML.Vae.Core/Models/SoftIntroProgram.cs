using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Core.Training.Optimization;

/// <summary>
/// Introspective training of a <see cref="SoftIntroVae"/> (algorithms spec §2.2, §3.3): a plain-VAE
/// warm-up of <see cref="SoftIntroOptions.WarmupIterations"/> steps (one joint update of every player),
/// then per iteration an encoder step and a decoder step — with a learned prior trained together with
/// the decoder as a third player. Separate Adam optimizers "encoder", "decoder" and (learned priors)
/// "prior", each with a MultiStepLR schedule. Modules: "model".
/// </summary>
/// <remarks>
/// <para>Each iteration draws its randomness up front (<see cref="SoftIntroNoise"/>); the decoder step
/// reuses the encoder step's noise batch unless <see cref="SoftIntroOptions.ResampleFakesForDecoder"/>.</para>
/// <para>With <see cref="SoftIntroOptions.ShareForwards"/> (default) the decoder outputs x_f = D(z_f) and
/// x_r = D(sg z) are computed once and serve both players: the encoder step changes neither the decoder
/// nor the prior, so the decoder step's D(z_f) and D(sg z) have exactly the values computed for the
/// encoder step. Each player's gradient is taken with respect to its own parameters only (a backward pass
/// restricted to them, <c>torch.autograd.backward(..., inputs: ...)</c>), which plays the role of the
/// reference's requires_grad toggles (no weight gradient of a frozen player is even accumulated). x_r hangs off a leaf z̃ = sg z, and the encoder step sees x_r through
/// a second leaf; its gradient is assembled by the chain rule across the two leaves (∂L_E/∂x_r, then the
/// vector-Jacobian product of D(z̃), then one pass through the encoder step's graph), so that graph is
/// released before the decoder step instead of being retained. Paired forwards of the re-encodings run
/// as one batch when no network uses batch statistics. The literal two-step implementation
/// (<see cref="SoftIntroOptions.ShareForwards"/> = false) gives the same updates (see docs/soft-intro.md).</para>
/// <para>A VampPrior is converted to a mixture at the start of iteration
/// <see cref="SoftIntroOptions.VampConversionStep"/> (when training goes past the warm-up), after which
/// every optimizer restarts with fresh moments, as the reference creates new optimizers. Variance clipping
/// bounds are frozen at the start of the first introspective iteration.</para>
/// <para>Terms: warm-up "reconstruction", "kl" (total = β_rec·rec + β_kl·kl); introspective
/// "encoder_loss", "decoder_loss", "reconstruction", "kl_real", "kl_fake", "kl_rec", "exp_elbo_fake",
/// "exp_elbo_rec", "diff_kl" (= kl_fake − kl_real, which should stay ≥ 0), plus "neg_entropy" (λ_H &gt; 0)
/// and "prior_kl" (trainable prior); total = encoder_loss + decoder_loss.</para>
/// </remarks>
public sealed class SoftIntroProgram : ITrainingProgram
{
    private readonly SoftIntroVae _model;
    private readonly SoftIntroOptions _options;
    private readonly SoftIntroWeights _weights;
    private readonly FusedAdam _encoderOptimizer;
    private readonly FusedAdam _decoderOptimizer;
    private readonly FusedAdam? _priorOptimizer;
    private readonly MultiStepLR[] _schedulers;
    private readonly IReadOnlyList<Parameter> _encoderParams;
    private readonly IReadOnlyList<Parameter> _decoderParams;
    private readonly IReadOnlyList<Parameter> _priorParams;
    private readonly bool _fuse;

    /// <summary>Creates the program; prefer <see cref="SoftIntroTraining.CreateProgram(SoftIntroVae, SoftIntroOptions?)"/>.</summary>
    /// <param name="model">The model to train.</param>
    /// <param name="options">Training settings (default the model's own); the architecture and prior settings must match the model's.</param>
    public SoftIntroProgram(SoftIntroVae model, SoftIntroOptions? options = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = (options ?? model.Options).Clone();
        _options.Validate();
        CheckCompatible(model.Options, _options);
        _weights = new SoftIntroWeights(_options.BetaRec, _options.BetaKl, _options.BetaNeg, _options.ResolveScale(),
            _options.Alpha, _options.Gamma, _options.GammaR, _options.ResponsibilityWeight);
        _encoderParams = model.EncoderParameters;
        _decoderParams = model.DecoderParameters;
        _priorParams = model.PriorParameters;
        _encoderOptimizer = new FusedAdam(_encoderParams, lr: _options.LearningRate, beta1: _options.AdamBeta1, beta2: _options.AdamBeta2);
        _decoderOptimizer = new FusedAdam(_decoderParams, lr: _options.LearningRate, beta1: _options.AdamBeta1, beta2: _options.AdamBeta2);
        if (_priorParams.Count > 0)
            _priorOptimizer = new FusedAdam(_priorParams, lr: _options.PriorLearningRate, beta1: _options.AdamBeta1, beta2: _options.AdamBeta2);
        _schedulers = Optimizers.Select(o => new MultiStepLR(o.Optimizer, _options.LrMilestones, _options.LrGamma)).ToArray();
        _fuse = _options.ShareForwards && !model.UsesBatchStatistics;
    }

    /// <summary>The model being trained.</summary>
    public SoftIntroVae Model => _model;

    /// <summary>The settings in use.</summary>
    public SoftIntroOptions Options => _options.Clone();

    /// <summary>True when the prior is a player of the introspective phase (learned prior with <see cref="SoftIntroOptions.TrainPriorInIntrospection"/>).</summary>
    public bool PriorTrainsInIntrospection => _priorOptimizer is not null && _options.TrainPriorInIntrospection;

    /// <inheritdoc />
    public IReadOnlyList<(string Name, nn.Module Module)> Modules => [("model", _model)];

    /// <inheritdoc />
    public IReadOnlyList<(string Name, optim.Optimizer Optimizer)> Optimizers => _priorOptimizer is null
        ? [("encoder", _encoderOptimizer), ("decoder", _decoderOptimizer)]
        : [("encoder", _encoderOptimizer), ("decoder", _decoderOptimizer), ("prior", _priorOptimizer)];

    /// <inheritdoc />
    public IReadOnlyList<LRScheduler> Schedulers => _schedulers;

    /// <inheritdoc />
    public void OnResumed(long step) => _model.RefreshFromState();

    /// <inheritdoc />
    public LossTerms Step(Tensor batch, long step, Func<Tensor> nextBatch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), step, "Steps are 1-based.");
        var modelDevice = _model.Device;
        var x = batch.dtype == _model.DType && Devices.Same(batch.device, modelDevice) ? batch : batch.to(_model.DType, modelDevice);
        _model.train(true);
        PrepareStage(step);
        if (step <= _options.WarmupIterations) return WarmupStep(x);
        return _options.ShareForwards ? SharedStep(x, step) : LiteralStep(x, step);
    }

    /// <summary>Stage changes due at the start of <paramref name="step"/>: VampPrior conversion, then freezing the clipping bounds.</summary>
    private void PrepareStage(long step)
    {
        // The reference converts only when an introspective phase follows; a run continued past the
        // warm-up converts at the latest before its first introspective step.
        bool conversionDue = (_options.Iterations > _options.WarmupIterations && step >= _options.VampConversionStep)
                             || step > _options.WarmupIterations;
        if (_model.VampActive && conversionDue)
        {
            _model.ConvertVampToMixture();
            foreach (var (_, optimizer) in Optimizers) Restart(optimizer);
        }
        if (step > _options.WarmupIterations && PriorTrainsInIntrospection && _options.ClipPriorVariance
            && !_model.VampActive && !_model.MixturePrior!.ClipEnabled)
            _model.FreezeVarianceClipBounds();
    }

    // ---- warm-up (plain VAE, every player updated from one backward pass)

    private LossTerms WarmupStep(Tensor x)
    {
        foreach (var (_, optimizer) in Optimizers) optimizer.zero_grad();
        var (mean, logVar) = _model.Encode(x);
        var z = DiagonalGaussian.Sample(mean, logVar);
        var reconstruction = SoftIntroObjective.SumSquaredError(x, _model.Decode(z)).mean();
        var kl = _model.KlToPrior(mean, logVar, _model.CurrentPriorParameters()).PerSample.mean();
        var loss = SoftIntroObjective.WarmupLoss(reconstruction, kl, _weights);
        loss.backward();
        foreach (var (_, optimizer) in Optimizers) optimizer.step();
        return new LossTerms(loss.detach()).Add("reconstruction", reconstruction.detach()).Add("kl", kl.detach());
    }

    // ---- introspective iteration, shared forwards

    private LossTerms SharedStep(Tensor x, long step)
    {
        bool priorPlays = PriorTrainsInIntrospection;
        var (live, target) = PriorViews(priorPlays);
        var noise = SoftIntroNoise.Draw(_model, x.size(0), target);
        // With a trainable prior the fake latents keep their graph to μ_k, lv_k for the decoder step;
        // the encoder step never asks for those gradients.
        var zFake = noise.FakeLatents(priorPlays && _options.SampleFakesWithGrad ? live : target);
        var (mean, logVar) = _model.Encode(x);
        var z = Reparameterize(mean, logVar, noise.Real);
        // The shared decoder outputs hang off leaves (z̃ = sg z, and a leaf copy of x_r for the encoder
        // step) so that the encoder step's graph is released before the decoder step instead of being
        // retained through it; the encoder's gradient through x_r is chained back by hand below.
        var zLeaf = z.detach().requires_grad_();
        Tensor xFake;
        if (_options.ResampleFakesForDecoder)
        {
            // The decoder step draws fresh fakes; these are only needed as values.
            using (torch.no_grad()) xFake = _model.Decode(zFake);
        }
        else xFake = _model.Decode(zFake);
        var xRec = _model.Decode(zLeaf);
        var xRecLeaf = xRec.detach().requires_grad_();

        // Encoder step: x_f and x_r enter the encoder detached; the target x_r of e_r is not (spec §2.2.5).
        var fakeDetached = xFake.detach();
        var (fakeMean, fakeLogVar, recMean, recLogVar) = EncodePair(fakeDetached, xRec.detach());
        var (xFakeRec, xRecRec) = DecodePair(Reparameterize(fakeMean, fakeLogVar, noise.EncoderFake), Reparameterize(recMean, recLogVar, noise.EncoderRec));
        var reconstruction = SoftIntroObjective.SumSquaredError(x, xRecLeaf).mean();
        var encoderTerms = EncoderTerms(mean, logVar, target, noise, reconstruction,
            fakeDetached, xFakeRec, fakeMean, fakeLogVar, xRecLeaf, xRecRec, recMean, recLogVar);
        CheckFinite("encoder_loss", encoderTerms.Loss, step);
        // ∂L_E/∂x_r (a few element-wise nodes), then through the shared D(z̃) to z̃ (input gradients only;
        // its graph is kept for the decoder step), then one pass through the encoder step's graph with
        // that cotangent added at z — the chain rule of the single backward pass, split at the leaves.
        var recGradient = torch.autograd.grad([encoderTerms.Loss], [xRecLeaf], retain_graph: true)[0];
        var zGradient = torch.autograd.grad([xRec], [zLeaf], [recGradient], retain_graph: true)[0];
        ApplyGradients([encoderTerms.Loss, z], [torch.ones_like(encoderTerms.Loss), zGradient], _encoderParams, retainGraph: false);
        _encoderOptimizer.step();

        // Decoder (+ prior) step with the updated encoder; x_r = D(sg z) and x_f = D(z_f) are the shared
        // outputs, and the real reconstruction error is re-read from x_r with its decoder graph.
        var xFakeDecoder = _options.ResampleFakesForDecoder
            ? _model.Decode(noise.ResampledFakeLatents(priorPlays && _options.SampleFakesWithGrad ? live : target))
            : xFake;
        var reconstructionDecoder = SoftIntroObjective.SumSquaredError(x, xRec).mean();
        var (recMean2, recLogVar2, fakeMean2, fakeLogVar2) = EncodePair(xRec, xFakeDecoder);
        var (xRecRec2, xFakeRec2) = DecodePair(
            Reparameterize(recMean2, recLogVar2, noise.DecoderRec).detach(),
            Reparameterize(fakeMean2, fakeLogVar2, noise.DecoderFake).detach());
        var decoderTerms = DecoderTerms(reconstructionDecoder, mean, logVar, live, target, noise, priorPlays,
            xRec, xRecRec2, recMean2, recLogVar2, xFakeDecoder, xFakeRec2, fakeMean2, fakeLogVar2);
        CheckFinite("decoder_loss", decoderTerms.Loss, step);
        var decoderInputs = priorPlays ? _decoderParams.Concat(_priorParams).ToList() : _decoderParams;
        ApplyGradients([decoderTerms.Loss], null, decoderInputs, retainGraph: false);
        _decoderOptimizer.step();
        if (priorPlays) _priorOptimizer!.step();
        return Terms(reconstruction, encoderTerms, decoderTerms);
    }

    // ---- introspective iteration, literal reference implementation

    private LossTerms LiteralStep(Tensor x, long step)
    {
        bool priorPlays = PriorTrainsInIntrospection;
        var (live, target) = PriorViews(priorPlays);
        var noise = SoftIntroNoise.Draw(_model, x.size(0), target);
        try
        {
            // Encoder step: decoder and prior frozen.
            SetRequiresGrad(_decoderParams, false);
            SetRequiresGrad(_priorParams, false);
            var xFake = _model.Decode(noise.FakeLatents(target));
            var (mean, logVar) = _model.Encode(x);
            var z = Reparameterize(mean, logVar, noise.Real);
            var xRec = _model.Decode(z);
            var fakeDetached = xFake.detach();
            var (fakeMean, fakeLogVar) = _model.Encode(fakeDetached);
            var xFakeRec = _model.Decode(Reparameterize(fakeMean, fakeLogVar, noise.EncoderFake));
            var (recMean, recLogVar) = _model.Encode(xRec.detach());
            var xRecRec = _model.Decode(Reparameterize(recMean, recLogVar, noise.EncoderRec));
            var reconstruction = SoftIntroObjective.SumSquaredError(x, xRec).mean();
            var encoderTerms = EncoderTerms(mean, logVar, target, noise, reconstruction,
                fakeDetached, xFakeRec, fakeMean, fakeLogVar, xRec, xRecRec, recMean, recLogVar);
            CheckFinite("encoder_loss", encoderTerms.Loss, step);
            _encoderOptimizer.zero_grad();
            encoderTerms.Loss.backward();
            _encoderOptimizer.step();

            // Decoder step: encoder frozen, decoder (and a playing prior) trainable.
            SetRequiresGrad(_encoderParams, false);
            SetRequiresGrad(_decoderParams, true);
            if (priorPlays) SetRequiresGrad(_priorParams, true);
            var (live2, _) = PriorViews(priorPlays);
            var sampling = priorPlays && _options.SampleFakesWithGrad ? live2 : target;
            var xFake2 = _model.Decode(_options.ResampleFakesForDecoder ? noise.ResampledFakeLatents(sampling) : noise.FakeLatents(sampling));
            var xRec2 = _model.Decode(z.detach());
            var reconstruction2 = SoftIntroObjective.SumSquaredError(x, xRec2).mean();
            var (recMean2, recLogVar2) = _model.Encode(xRec2);
            var (fakeMean2, fakeLogVar2) = _model.Encode(xFake2);
            var xRecRec2 = _model.Decode(Reparameterize(recMean2, recLogVar2, noise.DecoderRec).detach());
            var xFakeRec2 = _model.Decode(Reparameterize(fakeMean2, fakeLogVar2, noise.DecoderFake).detach());
            var decoderTerms = DecoderTerms(reconstruction2, mean.detach(), logVar.detach(), live2, target, noise, priorPlays,
                xRec2, xRecRec2, recMean2, recLogVar2, xFake2, xFakeRec2, fakeMean2, fakeLogVar2);
            CheckFinite("decoder_loss", decoderTerms.Loss, step);
            _decoderOptimizer.zero_grad();
            _priorOptimizer?.zero_grad();
            decoderTerms.Loss.backward();
            _decoderOptimizer.step();
            if (priorPlays) _priorOptimizer!.step();
            return Terms(reconstruction, encoderTerms, decoderTerms);
        }
        finally
        {
            SetRequiresGrad(_encoderParams, true);
            SetRequiresGrad(_decoderParams, true);
            SetRequiresGrad(_priorParams, true);
        }
    }

    // ---- the two losses (shared by both implementations)

    private sealed record EncoderResult(Tensor Loss, Tensor KlReal, Tensor ExpElboFake, Tensor ExpElboRec, Tensor? NegEntropy);

    private sealed record DecoderResult(Tensor Loss, Tensor KlRec, Tensor KlFake, Tensor? PriorKl);

    private EncoderResult EncoderTerms(Tensor mean, Tensor logVar, MixturePriorParameters? target, SoftIntroNoise noise, Tensor reconstruction,
        Tensor xFake, Tensor xFakeRec, Tensor fakeMean, Tensor fakeLogVar, Tensor xRec, Tensor xRecRec, Tensor recMean, Tensor recLogVar)
    {
        bool usage = _options.ResponsibilityWeight > 0 && target is not null;
        var realKl = _model.KlToPrior(mean, logVar, target, noise.KlReal, usage);
        var klReal = realKl.PerSample.mean();
        var klFake = _model.KlToPrior(fakeMean, fakeLogVar, target, noise.KlEncoderFake).PerSample;
        var klRec = _model.KlToPrior(recMean, recLogVar, target, noise.KlEncoderRec).PerSample;
        var expFake = SoftIntroObjective.ExpElbo(SoftIntroObjective.SumSquaredError(xFake, xFakeRec), klFake, _weights);
        var expRec = SoftIntroObjective.ExpElbo(SoftIntroObjective.SumSquaredError(xRec, xRecRec), klRec, _weights);
        var negEntropy = usage ? Responsibility.NormalizedNegativeEntropy(realKl.MeanUsage!) : null;
        var loss = SoftIntroObjective.EncoderLoss(reconstruction, klReal, expFake, expRec, negEntropy, _weights);
        return new EncoderResult(loss, klReal, expFake, expRec, negEntropy);
    }

    private DecoderResult DecoderTerms(Tensor reconstruction, Tensor mean, Tensor logVar, MixturePriorParameters? live, MixturePriorParameters? target,
        SoftIntroNoise noise, bool priorPlays, Tensor xRec, Tensor xRecRec, Tensor recMean, Tensor recLogVar,
        Tensor xFake, Tensor xFakeRec, Tensor fakeMean, Tensor fakeLogVar)
    {
        var recRec = SoftIntroObjective.SumSquaredError(xRec.detach(), xRecRec).mean();
        var fakeRec = SoftIntroObjective.SumSquaredError(xFake.detach(), xFakeRec).mean();
        var klRec = _model.KlToPrior(recMean, recLogVar, target, noise.KlDecoderRec).PerSample.mean();
        var klFake = _model.KlToPrior(fakeMean, fakeLogVar, target, noise.KlDecoderFake).PerSample.mean();
        // The real posterior's KL only moves a trainable prior (it is constant otherwise).
        var priorKl = priorPlays ? _model.KlToPrior(mean.detach(), logVar.detach(), live, noise.KlPrior).PerSample.mean() : null;
        var loss = SoftIntroObjective.DecoderLoss(reconstruction, priorKl, klRec, klFake, recRec, fakeRec, _weights);
        return new DecoderResult(loss, klRec, klFake, priorKl);
    }

    private static LossTerms Terms(Tensor reconstruction, EncoderResult e, DecoderResult d)
    {
        var encoderLoss = e.Loss.detach();
        var decoderLoss = d.Loss.detach();
        var klReal = e.KlReal.detach();
        var klFake = d.KlFake.detach();
        var terms = new LossTerms(encoderLoss + decoderLoss)
            .Add("encoder_loss", encoderLoss)
            .Add("decoder_loss", decoderLoss)
            .Add("reconstruction", reconstruction.detach())
            .Add("kl_real", klReal)
            .Add("kl_fake", klFake)
            .Add("kl_rec", d.KlRec.detach())
            .Add("exp_elbo_fake", e.ExpElboFake.detach())
            .Add("exp_elbo_rec", e.ExpElboRec.detach())
            .Add("diff_kl", klFake - klReal);
        if (e.NegEntropy is not null) terms.Add("neg_entropy", e.NegEntropy.detach());
        if (d.PriorKl is not null) terms.Add("prior_kl", d.PriorKl.detach());
        return terms;
    }

    // ---- helpers

    /// <summary>The prior as a live graph (when it plays) and as a stop-gradient target; both null for N(0, I).</summary>
    private (MixturePriorParameters? Live, MixturePriorParameters? Target) PriorViews(bool priorPlays)
    {
        if (_model.MixturePrior is null) return (null, null);
        if (priorPlays)
        {
            var live = _model.CurrentPriorParameters()!;
            return (live, live.Detach());
        }
        using (torch.no_grad()) return (null, _model.CurrentPriorParameters());
    }

    private static Tensor Reparameterize(Tensor mean, Tensor logVar, Tensor noise) => mean + (logVar * 0.5).exp() * noise;

    private (Tensor First, Tensor Second) DecodePair(Tensor a, Tensor b)
    {
        if (!_fuse) return (_model.Decode(a), _model.Decode(b));
        var both = _model.Decode(torch.cat([a, b], 0));
        return (both.narrow(0, 0, a.size(0)), both.narrow(0, a.size(0), b.size(0)));
    }

    private (Tensor MeanA, Tensor LogVarA, Tensor MeanB, Tensor LogVarB) EncodePair(Tensor a, Tensor b)
    {
        if (!_fuse)
        {
            var (ma, la) = _model.Encode(a);
            var (mb, lb) = _model.Encode(b);
            return (ma, la, mb, lb);
        }
        var (mean, logVar) = _model.Encode(torch.cat([a, b], 0));
        long n = a.size(0);
        return (mean.narrow(0, 0, n), logVar.narrow(0, 0, n), mean.narrow(0, n, b.size(0)), logVar.narrow(0, n, b.size(0)));
    }

    /// <summary>
    /// Sets each parameter's gradient to the vector-Jacobian product of <paramref name="outputs"/> with
    /// <paramref name="cotangents"/> (ones for scalar outputs when null) — none where the outputs do not depend on it.
    /// </summary>
    /// <remarks>
    /// The gradients are cleared, then accumulated by a backward pass restricted to <paramref name="parameters"/>:
    /// no other leaf receives a gradient. (<c>torch.autograd.grad</c> with unused inputs would hand back empty
    /// tensors that TorchSharp never stops counting.)
    /// </remarks>
    private static void ApplyGradients(IList<Tensor> outputs, IList<Tensor>? cotangents, IReadOnlyList<Parameter> parameters, bool retainGraph)
    {
        foreach (var p in parameters) p.grad = null;
        torch.autograd.backward(outputs, cotangents, retain_graph: retainGraph, inputs: parameters.ToList<Tensor>());
    }

    private static void SetRequiresGrad(IReadOnlyList<Parameter> parameters, bool value)
    {
        foreach (var p in parameters) p.requires_grad = value;
    }

    private void CheckFinite(string term, Tensor value, long step)
    {
        if (!_options.CheckLossesEveryStep) return;
        double v = value.ItemAsDouble();
        if (!double.IsFinite(v)) throw new TrainingDivergedException(term, step, v, "The update was not applied.");
    }

    /// <summary>Fresh moments and step count, as a newly created optimizer has (the learning rate is kept).</summary>
    private static void Restart(optim.Optimizer optimizer) => OptimizerCheckpoint.Reset(optimizer);

    private static void CheckCompatible(SoftIntroOptions model, SoftIntroOptions training)
    {
        bool same = model.LatentDim == training.LatentDim && model.SampleShape.SequenceEqual(training.SampleShape)
                    && model.PriorKind == training.PriorKind && model.ResolveNetwork() == training.ResolveNetwork()
                    && (!model.LearnedPrior || (model.Components == training.Components && model.LearnableWeights == training.LearnableWeights));
        if (!same)
            throw new ArgumentException("The training options describe a different architecture or prior than the model's (latent dimension, sample shape, network, prior kind, components, learnable weights).", nameof(training));
    }

    /// <summary>Releases the optimizers (the model stays with its owner).</summary>
    public void Dispose()
    {
        _encoderOptimizer.Dispose();
        _decoderOptimizer.Dispose();
        _priorOptimizer?.Dispose();
    }
}
