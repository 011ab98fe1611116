using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Data;

/// <summary>
/// "checkerboard" of the S-IntroVAE 2-D experiments: x₁ ~ U(−2, 2),
/// x₂ = U(0, 1) − 2·Bernoulli(½) + (⌊x₁⌋ mod 2), output 2·(x₁, x₂). Every point lies in a cell
/// whose column and row indices ⌊X₁/2⌋, ⌊X₂/2⌋ have an even sum. Plot range [−4, 4]².
/// </summary>
public sealed class CheckerboardSampler : ToySampler
{
    /// <inheritdoc />
    public override string Name => "checkerboard";

    /// <inheritdoc />
    protected override Tensor Generate(long n)
    {
        var x1 = torch.rand(new long[] { n }) * 4.0 - 2.0;
        var x2 = torch.rand(new long[] { n }) - torch.randint(0, 2, new long[] { n }, ScalarType.Float32) * 2.0;
        // remainder follows the divisor's sign (Python's %), so ⌊x₁⌋ mod 2 is 0 or 1 for negative x₁ too.
        x2 = x2 + x1.floor().remainder(2.0);
        return torch.stack([x1, x2], 1) * 2.0;
    }
}
