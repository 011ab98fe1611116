using TorchSharp;
using static TorchSharp.torch;
using Microsoft.ML.Vae.Core.Training;

namespace Microsoft.ML.Vae.Core.Objectives;

/// <summary>
/// β-VAE-B (Burgess et al., controlled capacity increase): L = w·SSE + γ·|Σ_batch KL − C(t)| with
/// C(t) = clamp(C_max·t / t_stop, 0, C_max) and t the 1-based global iteration (spec §1.4).
/// KL is the batch sum, as in the released dpVAE code.
/// </summary>
public static class CapacityObjective
{
    /// <summary>C(t) = clamp(C_max·t / t_stop, 0, C_max).</summary>
    public static double Capacity(long step, double capacityMax, long capacityStopIteration)
    {
        ObjectiveChecks.Weight(capacityMax, nameof(capacityMax));
        if (capacityStopIteration <= 0)
            throw new ArgumentOutOfRangeException(nameof(capacityStopIteration), $"The capacity stop iteration must be positive, got {capacityStopIteration}.");
        return Math.Clamp(capacityMax * step / capacityStopIteration, 0, capacityMax);
    }

    /// <summary>
    /// Terms "reconstruction", "kl" (batch sum) and "capacity" (C(t), constant);
    /// total = reconstruction + γ·|kl − C(t)|.
    /// </summary>
    public static LossTerms Compute(Tensor reconstruction, Tensor x, Tensor klPerSample, double mseWeight, double gamma,
        double capacityMax, long capacityStopIteration, long step)
    {
        ObjectiveChecks.PerSample(klPerSample, x, nameof(klPerSample));
        ObjectiveChecks.Weight(gamma, nameof(gamma));
        double c = Capacity(step, capacityMax, capacityStopIteration);
        using var scope = torch.NewDisposeScope();
        var rec = ReconstructionLoss.WeightedSse(reconstruction, x, mseWeight);
        var kl = klPerSample.sum();
        var total = rec + (kl - c).abs() * gamma;
        var capacity = torch.full_like(kl, c).detach();
        return new LossTerms(total.MoveToOuterDisposeScope())
            .Add("reconstruction", rec.MoveToOuterDisposeScope())
            .Add("kl", kl.MoveToOuterDisposeScope())
            .Add("capacity", capacity.MoveToOuterDisposeScope());
    }
}
