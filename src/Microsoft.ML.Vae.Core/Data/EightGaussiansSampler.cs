using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Data;

/// <summary>
/// "8gaussians" of the S-IntroVAE 2-D experiments: a uniformly chosen center among the eight
/// points 2·{(±1, 0), (0, ±1), (±1/√2, ±1/√2)}, plus 0.02·N(0, I) noise, all divided by 1.414
/// (ring radius ≈ 1.414, per-axis std ≈ 0.0141). Plot range [−2, 2]².
/// </summary>
public sealed class EightGaussiansSampler : ToySampler
{
    /// <summary>Scale of the centers before the final division (2 in the reference code).</summary>
    public const double Scale = 2.0;

    /// <summary>Standard deviation of the noise before the final division.</summary>
    public const double NoiseStd = 0.02;

    /// <summary>The final divisor (the reference code's 1.414).</summary>
    public const double Divisor = 1.414;

    /// <inheritdoc />
    public override string Name => "8gaussians";

    /// <inheritdoc />
    public override double PlotRange => 2.0;

    /// <summary>The eight centers after scaling and division: [8, 2].</summary>
    public static float[] Centers()
    {
        double d = 1.0 / Math.Sqrt(2.0);
        double[] unit = [1, 0, -1, 0, 0, 1, 0, -1, d, d, d, -d, -d, d, -d, -d];
        return unit.Select(v => (float)(v * Scale / Divisor)).ToArray();
    }

    /// <inheritdoc />
    protected override Tensor Generate(long n)
    {
        var centers = torch.tensor(Centers(), new long[] { 8, 2 });
        var noise = torch.randn(new long[] { n, 2 }) * (NoiseStd / Divisor);
        var which = torch.randint(0, 8, new long[] { n });
        return centers.index_select(0, which) + noise;
    }
}
