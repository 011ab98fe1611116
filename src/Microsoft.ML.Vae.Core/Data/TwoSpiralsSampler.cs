using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Data;

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
        var noise = torch.randn(new long[] { n, 2 });
        long half = (n + 1) / 2;
        var t = torch.rand(new long[] { half }).sqrt() * (540.0 * 2.0 * Math.PI / 360.0);
        var dx = -(t.cos() * t) + torch.rand(new long[] { half }) * 0.5;
        var dy = t.sin() * t + torch.rand(new long[] { half }) * 0.5;
        var arm = torch.stack([dx, dy], 1);
        var both = torch.cat(new[] { arm, -arm }, 0) / 3.0;
        if (both.size(0) != n) both = both.narrow(0, 0, n);
        return both + noise * 0.1;
    }
}
