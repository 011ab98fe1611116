using TorchSharp;
using static TorchSharp.torch;
using Microsoft.ML.Vae.Core.Training;

namespace Microsoft.ML.Vae.Core.Objectives;

/// <summary>VAE and β-VAE-H: L = w·SSE + β·Σ_batch KL (spec §1.4).</summary>
public static class BetaVaeObjective
{
    /// <summary>
    /// Terms "reconstruction" (w·SSE) and "kl" (batch sum of <paramref name="klPerSample"/>);
    /// total = reconstruction + β·kl.
    /// </summary>
    public static LossTerms Compute(Tensor reconstruction, Tensor x, Tensor klPerSample, double mseWeight, double beta)
    {
        ObjectiveChecks.PerSample(klPerSample, x, nameof(klPerSample));
        ObjectiveChecks.Weight(beta, nameof(beta));
        using var scope = torch.NewDisposeScope();
        var rec = ReconstructionLoss.WeightedSse(reconstruction, x, mseWeight);
        var kl = klPerSample.sum();
        var total = rec + kl * beta;
        return new LossTerms(total.MoveToOuterDisposeScope())
            .Add("reconstruction", rec.MoveToOuterDisposeScope())
            .Add("kl", kl.MoveToOuterDisposeScope());
    }
}
