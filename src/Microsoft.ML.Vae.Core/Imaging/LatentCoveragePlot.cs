using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Imaging;

/// <summary>
/// A picture of how a prior covers the encodings in a 2-D latent space: the encodings (aggregate-posterior
/// samples) in blue, the prior's draws in orange over them, on a square range that holds nearly all of both.
/// Prior draws in empty regions are the ones that decode to images no training example resembles.
/// </summary>
public static class LatentCoveragePlot
{
    /// <summary>Blue: the encodings.</summary>
    public static Rgb EncodingColor => Rgb.Categorical[0];

    /// <summary>Orange: the prior's draws.</summary>
    public static Rgb PriorColor => Rgb.Categorical[1];

    /// <summary>Writes the picture of <paramref name="encodings"/> and <paramref name="priorDraws"/> (each [n, 2]) as a PNG.</summary>
    public static void Save(string path, Tensor encodings, Tensor priorDraws, ScatterPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        double range = Range(encodings, priorDraws);
        ScatterPlot.Save(path, [(encodings, EncodingColor), (priorDraws, PriorColor)], range, options);
    }

    /// <summary>
    /// Half-width of the plotted square: 1.1 × the 99.5th percentile of |coordinate| over both point sets, so a
    /// few outliers do not shrink the rest to a dot.
    /// </summary>
    public static double Range(Tensor encodings, Tensor priorDraws)
    {
        ArgumentNullException.ThrowIfNull(encodings);
        ArgumentNullException.ThrowIfNull(priorDraws);
        foreach (var (t, name) in new[] { (encodings, nameof(encodings)), (priorDraws, nameof(priorDraws)) })
            if (t.dim() != 2 || t.size(1) != 2 || t.size(0) == 0)
                throw new ArgumentException($"The latent picture needs points [n ≥ 1, 2] (a 2-D latent space), got [{string.Join(", ", t.shape)}].", name);
        using var scope = torch.NewDisposeScope();
        var all = torch.cat([encodings.detach().to(ScalarType.Float64, torch.CPU), priorDraws.detach().to(ScalarType.Float64, torch.CPU)]).abs().flatten();
        var finite = all.masked_select(all.isfinite());
        double q = finite.numel() == 0 ? 1 : finite.quantile(0.995).ToDouble();
        return Math.Max(1e-3, 1.1 * q);
    }
}
