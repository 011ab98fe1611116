using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Core.Training.Optimization;

/// <summary>
/// Single-optimizer training of a <see cref="DpVae"/> (VAE, β-VAE-H, β-VAE-B, β-TCVAE, InfoVAE):
/// one Adam over encoder, decoder and flow; each step is zero-grad, forward, loss, backward, update.
/// Modules: "model"; optimizers: "vae".
/// </summary>
public sealed class DpVaeProgram : ITrainingProgram
{
    private readonly DpVae _model;
    private readonly FlowReachWatch _reachWatch;
    private readonly DpVaeOptions _options;
    private readonly FusedAdam _optimizer;

    /// <summary>Creates the program; prefer <see cref="DpVaeTraining.CreateProgram(DpVae, DpVaeOptions)"/>.</summary>
    public DpVaeProgram(DpVae model, DpVaeOptions options)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _reachWatch = new FlowReachWatch(model);
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Clone();
        _optimizer = new FusedAdam(model.parameters(), lr: _options.LearningRate, beta1: _options.AdamBeta1, beta2: _options.AdamBeta2);
    }

    /// <summary>The model being trained.</summary>
    public DpVae Model => _model;

    /// <inheritdoc />
    public IReadOnlyList<(string Name, nn.Module Module)> Modules => [("model", _model)];

    /// <inheritdoc />
    public IReadOnlyList<(string Name, optim.Optimizer Optimizer)> Optimizers => [("vae", _optimizer)];

    /// <inheritdoc />
    public string? TakeNotice() => _reachWatch.Take();

    /// <inheritdoc />
    public LossTerms Step(Tensor batch, long step, Func<Tensor> nextBatch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        _model.train(true);
        _optimizer.zero_grad();
        var output = _model.Forward(batch);
        _model.ObserveTrainingBatch(output);
        try
        {
            _reachWatch.Observe(output.Mean, step);
            var terms = DpVaeLoss.Compute(_model, _options, output, batch, step);
            terms.Total.backward();
            _optimizer.step();
            return terms;
        }
        finally
        {
            _model.EndTrainingBatch();
        }
    }

    /// <summary>Releases the optimizer state (the model stays with its owner).</summary>
    public void Dispose() => _optimizer.Dispose();
}
