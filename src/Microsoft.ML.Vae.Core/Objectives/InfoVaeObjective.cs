using TorchSharp;
using static TorchSharp.torch;
using Microsoft.ML.Vae.Core.Training;

namespace Microsoft.ML.Vae.Core.Objectives;

/// <summary>
/// InfoVAE with the MMD divergence (spec §1.4): L = w·SSE + (1−α)·Σ_batch KL + (α+λ−1)·MMD(q(z), p(z)).
/// </summary>
public static class InfoVaeObjective
{
    /// <summary>
    /// Kernel matrix k(a_i, b_k) = exp(−mean_j (a_ij − b_kj)² / d) = exp(−‖a_i − b_k‖² / d²): [Na, Nb].
    /// </summary>
    public static Tensor Kernel(Tensor a, Tensor b)
    {
        ObjectiveChecks.Latents(a, nameof(a));
        ObjectiveChecks.Latents(b, nameof(b));
        if (a.size(1) != b.size(1))
            throw new ArgumentException($"Kernel inputs differ in dimension: {a.size(1)} and {b.size(1)}.");
        long d = a.size(1);
        using var scope = torch.NewDisposeScope();
        var diff = a.unsqueeze(1) - b.unsqueeze(0);
        var k = (diff.square().mean([2]) / d).neg().exp();
        return k.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Biased (V-statistic) MMD² including the diagonals:
    /// mean k(p, p) + mean k(q, q) − 2·mean k(p, q).
    /// </summary>
    public static Tensor Mmd(Tensor q, Tensor p)
    {
        using var scope = torch.NewDisposeScope();
        var mmd = Kernel(p, p).mean() + Kernel(q, q).mean() - Kernel(p, q).mean() * 2.0;
        return mmd.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Terms "reconstruction", "kl" (batch sum) and "mmd" between posterior samples
    /// <paramref name="zPosterior"/> and prior samples <paramref name="zPrior"/> (in the same space);
    /// total = reconstruction + (1−α)·kl + (α+λ−1)·mmd.
    /// </summary>
    public static LossTerms Compute(Tensor reconstruction, Tensor x, Tensor klPerSample, Tensor zPosterior, Tensor zPrior,
        double mseWeight, double alpha, double lambda)
    {
        ObjectiveChecks.PerSample(klPerSample, x, nameof(klPerSample));
        if (!double.IsFinite(alpha) || !double.IsFinite(lambda))
            throw new ArgumentOutOfRangeException(nameof(alpha), $"InfoVAE weights must be finite, got α = {alpha}, λ = {lambda}.");
        using var scope = torch.NewDisposeScope();
        var rec = ReconstructionLoss.WeightedSse(reconstruction, x, mseWeight);
        var kl = klPerSample.sum();
        var mmd = Mmd(zPosterior, zPrior);
        var total = rec + kl * (1 - alpha) + mmd * (alpha + lambda - 1);
        return new LossTerms(total.MoveToOuterDisposeScope())
            .Add("reconstruction", rec.MoveToOuterDisposeScope())
            .Add("kl", kl.MoveToOuterDisposeScope())
            .Add("mmd", mmd.MoveToOuterDisposeScope());
    }
}
