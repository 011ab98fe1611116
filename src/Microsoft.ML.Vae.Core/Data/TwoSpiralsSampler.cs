using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Data;

// "Torch" alone would name the Microsoft.ML.Vae.Torch namespace here.
using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// "2spirals" of the S-IntroVAE 2-D experiments: angle t = √U·540·2π/360 (so t ∈ [0, 3π]),
/// arm one (−cos(t)·t + 0.5·U₁, sin(t)·t + 0.5·U₂), arm two its negation, half the points per
/// arm, divided by 3, plus 0.1·N(0, I). Plot range [−4, 4]².
/// </summary>
/// <remarks>
/// Random numbers are drawn in the reference order (the Gaussian noise first, then the angle
/// and the two jitters). For odd n one extra pair is generated and the last point dropped.
/// </remarks>
public sealed class TwoSpiralsSampler : ToySampler
{
    /// <inheritdoc />
    public override string Name => "2spirals";

    /// <inheritdoc />
    protected override Tensor Generate(long n)
    {
        var noise = Torch.Randn([n, 2]);
        long half = (n + 1) / 2;
        var t = Torch.Rand([half]).Sqrt() * (540.0 * 2.0 * Math.PI / 360.0);
        var dx = -(t.Cos() * t) + Torch.Rand([half]) * 0.5;
        var dy = t.Sin() * t + Torch.Rand([half]) * 0.5;
        var arm = Torch.Stack([dx, dy], 1);
        var both = Torch.Cat([arm, -arm], 0) / 3.0;
        if (both.Size(0) != n) both = both.Narrow(0, 0, n);
        return both + noise * 0.1;
    }
}
