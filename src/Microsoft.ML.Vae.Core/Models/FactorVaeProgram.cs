namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;
using Microsoft.ML.Vae.Torch.Optim;

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
    private readonly DpVaeOptions _options;
    private readonly FactorDiscriminator _discriminator;
    private readonly Adam _vaeOptimizer;
    private readonly Adam _discriminatorOptimizer;

    /// <summary>Creates the program and its discriminator on the model's device; prefer <see cref="DpVaeTraining.CreateProgram(DpVae, DpVaeOptions)"/>.</summary>
    public FactorVaeProgram(DpVae model, DpVaeOptions options)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Clone();
        _discriminator = new FactorDiscriminator(model.LatentDim, _options.DiscriminatorHidden, _options.DiscriminatorLayers);
        var reference = model.Parameters()[0];
        _discriminator.To(reference.DType);
        if (reference.Device.Type != DeviceType.Cpu) _discriminator.To(reference.Device);
        _vaeOptimizer = new Adam(model.Parameters(), _options.LearningRate, _options.AdamBeta1, _options.AdamBeta2);
        _discriminatorOptimizer = new Adam(_discriminator.Parameters(), _options.DiscriminatorLearningRate, _options.AdamBeta1, _options.AdamBeta2);
    }

    /// <summary>The model being trained.</summary>
    public DpVae Model => _model;

    /// <summary>The total-correlation discriminator.</summary>
    public FactorDiscriminator Discriminator => _discriminator;

    /// <inheritdoc />
    public IReadOnlyList<(string Name, Module Module)> Modules => [("model", _model), ("discriminator", _discriminator)];

    /// <inheritdoc />
    public IReadOnlyList<(string Name, Optimizer Optimizer)> Optimizers => [("vae", _vaeOptimizer), ("discriminator", _discriminatorOptimizer)];

    /// <inheritdoc />
    public LossTerms Step(Tensor batch, long step, Func<Tensor> nextBatch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(nextBatch);
        _model.Train(true);
        _discriminator.Train(true);

        _vaeOptimizer.ZeroGrad();
        var output = _model.Forward(batch);
        var terms = DpVaeLoss.Compute(_model, _options, output, batch, step, _discriminator);
        terms.Total.Backward();
        _vaeOptimizer.Step();

        var second = nextBatch() ?? throw new InvalidOperationException("The batch source returned no second batch for the discriminator step.");
        Tensor permuted;
        using (Torch.NoGrad())
        {
            var (mean, logVar) = _model.Encode(second);
            permuted = FactorVaeObjective.PermuteDims(DiagonalGaussian.Sample(mean, logVar));
        }
        var joint = output.Z.Detach();
        // The VAE backward also reached the discriminator's weights; clear that before its own step.
        _discriminatorOptimizer.ZeroGrad();
        var discriminatorLoss = FactorVaeObjective.DiscriminatorLoss(_discriminator.Forward(joint), _discriminator.Forward(permuted));
        discriminatorLoss.Backward();
        _discriminatorOptimizer.Step();
        return terms.Add("discriminator", discriminatorLoss.Detach());
    }

    /// <summary>Releases the optimizers and the discriminator (the model stays with its owner).</summary>
    public void Dispose()
    {
        _vaeOptimizer.Dispose();
        _discriminatorOptimizer.Dispose();
        _discriminator.Dispose();
    }
}
