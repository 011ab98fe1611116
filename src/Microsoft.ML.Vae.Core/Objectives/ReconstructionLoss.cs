using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Vae.Core.Objectives;

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
        if (!reconstruction.shape.SequenceEqual(x.shape))
            throw new ArgumentException(
                $"Reconstruction [{string.Join(", ", reconstruction.shape)}] and data [{string.Join(", ", x.shape)}] shapes differ.");
        if (!(mseWeight > 0) || double.IsInfinity(mseWeight))
            throw new ArgumentOutOfRangeException(nameof(mseWeight), $"The reconstruction weight must be positive and finite, got {mseWeight}.");
        using var scope = torch.NewDisposeScope();
        var sse = F.mse_loss(reconstruction, x, reduction: nn.Reduction.Sum);
        return (sse * mseWeight).MoveToOuterDisposeScope();
    }
}
