using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// Watches, during training of a model with the decoupled prior, whether the batch's posterior centre stays
/// within what the flow can reach (<see cref="DecoupledFlowPrior.CentreReach"/>), and raises one warning
/// the first time it does not. Checked every <see cref="Interval"/> steps, as reading the centre back
/// waits for the device.
/// </summary>
internal sealed class FlowReachWatch
{
    /// <summary>Steps between checks.</summary>
    public const int Interval = 25;

    private readonly double[]? _reach;
    private readonly DecoupledFlowPrior? _flow;
    private bool _warned;
    private string? _pending;

    public FlowReachWatch(DpVae model)
    {
        _flow = model.Flow;
        _reach = _flow?.CentreReach();
    }

    /// <summary>Checks the posterior means [N, d] of the batch at 1-based <paramref name="step"/>.</summary>
    public void Observe(Tensor posteriorMeans, long step)
    {
        if (_reach is null || _warned || (step - 1) % Interval != 0) return;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var means = posteriorMeans.detach();
        // The blocks see normalized latents when the flow normalizes the posterior first.
        if (_flow?.Normalization is { } normalization) means = normalization.Normalize(means).Output;
        var centre = means.mean([0]).to(ScalarType.Float64, torch.CPU).data<double>().ToArray();
        var warning = FlowReach.Check(centre, _reach);
        if (warning is null) return;
        _warned = true;
        _pending = $"Step {step}: {warning}";
    }

    /// <summary>The warning not yet handed out, once.</summary>
    public string? Take()
    {
        var w = _pending;
        _pending = null;
        return w;
    }
}
