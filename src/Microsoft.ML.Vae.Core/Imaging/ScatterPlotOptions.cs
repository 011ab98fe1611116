namespace Microsoft.ML.Vae.Core.Imaging;

/// <summary>Options of <see cref="ScatterPlot"/>.</summary>
public sealed class ScatterPlotOptions
{
    /// <summary>Side of the square picture in pixels. Default 512.</summary>
    public int Size { get; set; } = 512;

    /// <summary>Radius of a point's disc in pixels (0 = one pixel). Default 1.</summary>
    public int PointRadius { get; set; } = 1;

    /// <summary>
    /// Opacity of one point in (0, 1]; overlapping points accumulate (k points: 1 − (1 − a)^k), so
    /// dense regions look darker. Default 0.3.
    /// </summary>
    public double Opacity { get; set; } = 0.3;

    /// <summary>Draw light gray lines through the origin. Default true.</summary>
    public bool DrawAxes { get; set; } = true;
}
