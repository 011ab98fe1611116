namespace Microsoft.ML.Vae.Core.Imaging;

/// <summary>Options of <see cref="DensityHeatmap"/>.</summary>
public sealed class DensityHeatmapOptions
{
    /// <summary>Color by log(density) instead of density, to show low-density structure. Default false.</summary>
    public bool LogScale { get; set; }

    /// <summary>
    /// Draw row 0 at the bottom, as for a grid built from y = linspace(−R, R) (true), or at the
    /// top, the image convention (false). Default false.
    /// </summary>
    public bool OriginAtBottom { get; set; }

    /// <summary>Pixels per density cell along each side (nearest-neighbour enlargement). Default 1.</summary>
    public int PixelsPerCell { get; set; } = 1;
}
