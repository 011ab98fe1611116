using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Data;

/// <summary>
/// "rings" of the S-IntroVAE 2-D experiments: four concentric circles of radius 3, 2.25, 1.5
/// and 0.75 with ⌊n/4⌋ evenly spaced angles in [0, 2π) each (the innermost takes the
/// remainder), resampled n times with replacement, plus 0.08·N(0, I). Plot range [−4, 4]².
/// </summary>
public sealed class RingsSampler : ToySampler
{
    /// <summary>The circle radii, outermost first.</summary>
    public static IReadOnlyList<double> Radii { get; } = [3.0, 2.25, 1.5, 0.75];

    /// <summary>Standard deviation of the added noise.</summary>
    public const double NoiseStd = 0.08;

    /// <inheritdoc />
    public override string Name => "rings";

    /// <inheritdoc />
    protected override Tensor Generate(long n)
    {
        long quarter = n / 4;
        long[] counts = [quarter, quarter, quarter, n - 3 * quarter];
        var xs = new List<Tensor>(4);
        var ys = new List<Tensor>(4);
        for (int i = 0; i < 4; i++)
        {
            // linspace over [0, 2π] with one extra step, last dropped: evenly spaced on [0, 2π).
            var angles = torch.linspace(0, 2 * Math.PI, counts[i] + 1).narrow(0, 0, counts[i]);
            xs.Add(angles.cos() * Radii[i]);
            ys.Add(angles.sin() * Radii[i]);
        }
        var circles = torch.stack([torch.cat(xs), torch.cat(ys)], 1);
        var picks = torch.randint(0, n, new long[] { n });
        return circles.index_select(0, picks) + torch.randn(new long[] { n, 2 }) * NoiseStd;
    }
}
