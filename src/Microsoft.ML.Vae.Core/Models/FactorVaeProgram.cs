using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Core.Training.Optimization;

/// <summary>
/// Adversarial training of a FactorVAE-regularized <see cref="DpVae"/> (spec §1.4). Each step:
/// (1) VAE update with Adam on w·SSE + KL + γ·TC(D(z)); (2) discriminator update with its own Adam on
/// ½[CE(D(z), joint) + CE(D(perm(z')), permuted)], where z is the VAE step's sample (detached) and z'
/// encodes a second batch drawn from <c>nextBatch</c>, dimension-permuted and detached.
/// Modules: "model", "discriminator"; optimizers: "vae", "discriminator".
/// The returned terms add "discriminator" (the discriminator loss) to the VAE terms.
/// </summary>
public sealed class FactorVaeProgram : ITrainingProgram
{
    private readonly DpVae _model;
    private readonly FlowReachWatch _reachWatch;
    private readonly DpVaeOptions _options;
    private readonly FactorDiscriminator _discriminator;
    private readonly FusedAdam _vaeOptimizer;
    private readonly FusedAdam _discriminatorOptimizer;

    /// <summary>Creates the program and its discriminator on the model's device; prefer <see cref="DpVaeTraining.CreateProgram(DpVae, DpVaeOptions)"/>.</summary>
    public FactorVaeProgram(DpVae model, DpVaeOptions options)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _reachWatch = new FlowReachWatch(model);
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Clone();
        _discriminator = new FactorDiscriminator(model.LatentDim, _options.DiscriminatorHidden, _options.DiscriminatorLayers);
        var reference = model.parameters().First();
        // Module.to(device, dtype) replaces the parameters, so it comes before the optimizer is created.
        _discriminator.to(reference.device, reference.dtype);
        _vaeOptimizer = new FusedAdam(model.parameters(), lr: _options.LearningRate, beta1: _options.AdamBeta1, beta2: _options.AdamBeta2);
        _discriminatorOptimizer = new FusedAdam(_discriminator.parameters(), lr: _options.DiscriminatorLearningRate, beta1: _options.AdamBeta1, beta2: _options.AdamBeta2);
    }

    /// <summary>The model being trained.</summary>
    public DpVae Model => _model;

    /// <summary>The total-correlation discriminator.</summary>
    public FactorDiscriminator Discriminator => _discriminator;

    /// <inheritdoc />
    public IReadOnlyList<(string Name, nn.Module Module)> Modules => [("model", _model), ("discriminator", _discriminator)];

    /// <inheritdoc />
    public IReadOnlyList<(string Name, optim.Optimizer Optimizer)> Optimizers => [("vae", _vaeOptimizer), ("discriminator", _discriminatorOptimizer)];

    /// <inheritdoc />
    public string? TakeNotice() => _reachWatch.Take();

    /// <inheritdoc />
    public LossTerms Step(Tensor batch, long step, Func<Tensor> nextBatch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(nextBatch);
        _model.train(true);
        _discriminator.train(true);

        _vaeOptimizer.zero_grad();
        var output = _model.Forward(batch);
        _model.ObserveTrainingBatch(output);
        LossTerms terms;
        try
        {
            _reachWatch.Observe(output.Mean, step);
            terms = DpVaeLoss.Compute(_model, _options, output, batch, step, _discriminator);
            terms.Total.backward();
            _vaeOptimizer.step();
        }
        finally
        {
            _model.EndTrainingBatch();
        }

        var second = nextBatch() ?? throw new InvalidOperationException("The batch source returned no second batch for the discriminator step.");
        Tensor permuted;
        using (torch.no_grad())
        {
            var (mean, logVar) = _model.Encode(second);
            permuted = FactorVaeObjective.PermuteDims(DiagonalGaussian.Sample(mean, logVar));
        }
        var joint = output.Z.detach();
        // The VAE backward also reached the discriminator's weights; clear that before its own step.
        _discriminatorOptimizer.zero_grad();
        var discriminatorLoss = FactorVaeObjective.DiscriminatorLoss(_discriminator.forward(joint), _discriminator.forward(permuted));
        discriminatorLoss.backward();
        _discriminatorOptimizer.step();
        return terms.Add("discriminator", discriminatorLoss.detach());
    }

    /// <summary>Releases the optimizers and the discriminator (the model stays with its owner).</summary>
    public void Dispose()
    {
        _vaeOptimizer.Dispose();
        _discriminatorOptimizer.Dispose();
        _discriminator.Dispose();
    }
}
