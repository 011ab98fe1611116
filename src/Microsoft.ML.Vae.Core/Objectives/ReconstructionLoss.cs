namespace Microsoft.ML.Vae.Core.Objectives;

using Microsoft.ML.Vae.Torch;

/// <summary>The reconstruction term shared by every dpVAE regularizer.</summary>
public static class ReconstructionLoss
{
    /// <summary>
    /// w_mse · Σ_{batch, elements} (x̂ − x)², a batch SUM as in the released code (x̂ is the raw,
    /// linear decoder output). Shapes must match exactly.
    /// </summary>
    public static Tensor WeightedSse(Tensor reconstruction, Tensor x, double mseWeight)
    {
        ArgumentNullException.ThrowIfNull(reconstruction);
        ArgumentNullException.ThrowIfNull(x);
        if (!reconstruction.Shape.SequenceEqual(x.Shape))
            throw new ArgumentException(
                $"Reconstruction [{string.Join(", ", reconstruction.Shape)}] and data [{string.Join(", ", x.Shape)}] shapes differ.");
        if (!(mseWeight > 0) || double.IsInfinity(mseWeight))
            throw new ArgumentOutOfRangeException(nameof(mseWeight), $"The reconstruction weight must be positive and finite, got {mseWeight}.");
        using var scope = Torch.NewDisposeScope();
        var sse = Functional.MseLoss(reconstruction, x, Reduction.Sum);
        return (sse * mseWeight).MoveToOuterScope();
    }
}
