namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;
using Microsoft.ML.Vae.Torch.Optim;

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
    private readonly Adam _vaeOptimizer;
    private readonly Adam? _discriminatorOptimizer;

    /// <summary>Creates the program (and its PatchGAN on the model's device); prefer <see cref="GamixTraining.CreateProgram(GamixVae, GamixOptions)"/>.</summary>
    public GamixProgram(GamixVae model, GamixOptions options)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Clone();
        _vaeOptimizer = new Adam(model.Parameters(), _options.LearningRate, _options.AdamBeta1, _options.AdamBeta2, _options.AdamEpsilon);
        if (!_options.PatchGan) return;
        _discriminator = new PatchGanDiscriminator((int)_options.SampleShape[0], _options.PatchGanFilters, _options.PatchGanStrides,
            _options.PatchGanNegativeSlope, _options.PatchGanDropout, _options.BatchNormEps, _options.BatchNormMomentum);
        var reference = model.Parameters()[0];
        _discriminator.To(reference.DType);
        if (reference.Device.Type != DeviceType.Cpu) _discriminator.To(reference.Device);
        _discriminatorOptimizer = new Adam(_discriminator.Parameters(), _options.DiscriminatorLearningRate, _options.AdamBeta1, _options.AdamBeta2, _options.AdamEpsilon);
    }

    /// <summary>The model being trained.</summary>
    public GamixVae Model => _model;

    /// <summary>The PatchGAN, or null when training without it.</summary>
    public PatchGanDiscriminator? Discriminator => _discriminator;

    /// <inheritdoc />
    public IReadOnlyList<(string Name, Module Module)> Modules =>
        _discriminator is null ? [("model", _model)] : [("model", _model), ("discriminator", _discriminator)];

    /// <inheritdoc />
    public IReadOnlyList<(string Name, Optimizer Optimizer)> Optimizers =>
        _discriminatorOptimizer is null ? [("vae", _vaeOptimizer)] : [("vae", _vaeOptimizer), ("discriminator", _discriminatorOptimizer)];

    /// <inheritdoc />
    public LossTerms Step(Tensor batch, long step, Func<Tensor> nextBatch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _model.Train(true);
        _vaeOptimizer.ZeroGrad();
        var output = _model.Forward(batch);
        if (_discriminator is null || _discriminatorOptimizer is null)
        {
            var plain = GamixLoss.Compute(_options, output, fakeLogits: null);
            plain.Total.Backward();
            _vaeOptimizer.Step();
            return plain;
        }

        _discriminator.Train(true);
        _discriminatorOptimizer.ZeroGrad();
        var realLogits = _discriminator.Forward(output.Target);
        var fakeLogits = _discriminator.Forward(output.Reconstruction);
        var terms = GamixLoss.Compute(_options, output, fakeLogits);
        var discriminatorLoss = GamixObjective.DiscriminatorLoss(realLogits, fakeLogits, _options.DiscriminatorLossWeight);

        // Each loss moves only its own network: the discriminator's gradient is taken explicitly (the graph is
        // kept for the generator), and the generator's backward pass, which also reaches the discriminator's
        // weights through D(x̂), has those stray gradients replaced afterwards.
        var discriminatorParameters = _discriminator.Parameters();
        var discriminatorGradients = Autograd.Grad([discriminatorLoss], discriminatorParameters, retainGraph: true);
        terms.Total.Backward();
        for (int i = 0; i < discriminatorParameters.Count; i++) discriminatorParameters[i].Grad = discriminatorGradients[i];
        _vaeOptimizer.Step();
        _discriminatorOptimizer.Step();
        return terms.Add("discriminator", discriminatorLoss.Detach());
    }

    /// <summary>Releases the optimizers and the PatchGAN (the model stays with its owner).</summary>
    public void Dispose()
    {
        _vaeOptimizer.Dispose();
        _discriminatorOptimizer?.Dispose();
        _discriminator?.Dispose();
    }
}
