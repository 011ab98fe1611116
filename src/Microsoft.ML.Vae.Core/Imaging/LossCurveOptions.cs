namespace Microsoft.ML.Vae.Core.Imaging;

/// <summary>How the value axis of a <see cref="LossCurve"/> is scaled.</summary>
public enum AxisScale
{
    /// <summary>Logarithmic when every plotted value is positive and they span more than two decades, else linear.</summary>
    Auto,
    /// <summary>Linear.</summary>
    Linear,
    /// <summary>Logarithmic (base 10); values ≤ 0 are left out.</summary>
    Log,
}

/// <summary>Options of <see cref="LossCurve"/>.</summary>
public sealed class LossCurveOptions
{
    /// <summary>Picture width in pixels. Default 800.</summary>
    public int Width { get; set; } = 800;

    /// <summary>Picture height in pixels. Default 450.</summary>
    public int Height { get; set; } = 450;

    /// <summary>Value-axis scale. Default <see cref="AxisScale.Auto"/>.</summary>
    public AxisScale YScale { get; set; } = AxisScale.Auto;

    /// <summary>Label of the horizontal axis. Default "step".</summary>
    public string XLabel { get; set; } = "step";

    /// <summary>Label of the vertical axis; none when empty. Default "".</summary>
    public string YLabel { get; set; } = "";
}
