using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Core.Training.Optimization;

/// <summary>
/// Training of a <see cref="GamixVae"/> (spec §4.1). Without the PatchGAN (and for the baseline) one Adam
/// minimizes the VAE loss. With it, each step runs one forward pass — x̂ = VAE(x), D(x) and D(x̂) in two
/// discriminator calls, as the code does — computes the generator loss and the discriminator loss
/// 100·[BCE(D(x), real) + BCE(D(x̂), fake)] from it, takes each loss's gradient with respect to its own
/// network only, and updates both with their own Adam simultaneously.
/// Modules: "model" (and "discriminator"); optimizers: "vae" (and "discriminator"). The returned terms
/// add "discriminator" (its loss) to the generator's terms.
/// </summary>
public sealed class GamixProgram : ITrainingProgram
{
    private readonly GamixVae _model;
    private readonly GamixOptions _options;
    private readonly PatchGanDiscriminator? _discriminator;
    private readonly FusedAdam _vaeOptimizer;
    private readonly FusedAdam? _discriminatorOptimizer;

    /// <summary>Creates the program (and its PatchGAN on the model's device); prefer <see cref="GamixTraining.CreateProgram(GamixVae, GamixOptions)"/>.</summary>
    public GamixProgram(GamixVae model, GamixOptions options)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Clone();
        _vaeOptimizer = new FusedAdam(model.parameters(), lr: _options.LearningRate, beta1: _options.AdamBeta1, beta2: _options.AdamBeta2, eps: _options.AdamEpsilon);
        if (!_options.PatchGan) return;
        _discriminator = new PatchGanDiscriminator((int)_options.SampleShape[0], _options.PatchGanFilters, _options.PatchGanStrides,
            _options.PatchGanNegativeSlope, _options.PatchGanDropout, _options.BatchNormEps, _options.BatchNormMomentum);
        var reference = model.parameters().First();
        // Module.to(device, dtype) replaces the parameters, so it comes before the optimizer is created.
        _discriminator.to(reference.device, reference.dtype);
        _discriminatorOptimizer = new FusedAdam(_discriminator.parameters(), lr: _options.DiscriminatorLearningRate, beta1: _options.AdamBeta1,
            beta2: _options.AdamBeta2, eps: _options.AdamEpsilon);
    }

    /// <summary>The model being trained.</summary>
    public GamixVae Model => _model;

    /// <summary>The PatchGAN, or null when training without it.</summary>
    public PatchGanDiscriminator? Discriminator => _discriminator;

    /// <inheritdoc />
    public IReadOnlyList<(string Name, nn.Module Module)> Modules =>
        _discriminator is null ? [("model", _model)] : [("model", _model), ("discriminator", _discriminator)];

    /// <inheritdoc />
    public IReadOnlyList<(string Name, optim.Optimizer Optimizer)> Optimizers =>
        _discriminatorOptimizer is null ? [("vae", _vaeOptimizer)] : [("vae", _vaeOptimizer), ("discriminator", _discriminatorOptimizer)];

    /// <inheritdoc />
    public LossTerms Step(Tensor batch, long step, Func<Tensor> nextBatch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _model.train(true);
        _vaeOptimizer.zero_grad();
        var output = _model.Forward(batch);
        if (_discriminator is null || _discriminatorOptimizer is null)
        {
            var plain = GamixLoss.Compute(_options, output, fakeLogits: null);
            plain.Total.backward();
            _vaeOptimizer.step();
            return plain;
        }

        _discriminator.train(true);
        _discriminatorOptimizer.zero_grad();
        var realLogits = _discriminator.forward(output.Target);
        var fakeLogits = _discriminator.forward(output.Reconstruction);
        var terms = GamixLoss.Compute(_options, output, fakeLogits);
        var discriminatorLoss = GamixObjective.DiscriminatorLoss(realLogits, fakeLogits, _options.DiscriminatorLossWeight);

        // Each loss moves only its own network: each backward pass accumulates into the (cleared) gradients
        // of its own network's parameters only; the generator's loss also reaches the discriminator's weights
        // through D(x̂), and the discriminator's loss the VAE's, but neither gradient is accumulated. The
        // graph is kept after the first pass for the second.
        var discriminatorParameters = _discriminator.parameters().ToList<Tensor>();
        var vaeParameters = _model.parameters().ToList<Tensor>();
        torch.autograd.backward([discriminatorLoss], retain_graph: true, inputs: discriminatorParameters);
        torch.autograd.backward([terms.Total], inputs: vaeParameters);
        _vaeOptimizer.step();
        _discriminatorOptimizer.step();
        return terms.Add("discriminator", discriminatorLoss.detach());
    }

    /// <summary>Releases the optimizers and the PatchGAN (the model stays with its owner).</summary>
    public void Dispose()
    {
        _vaeOptimizer.Dispose();
        _discriminatorOptimizer?.Dispose();
        _discriminator?.Dispose();
    }
}
