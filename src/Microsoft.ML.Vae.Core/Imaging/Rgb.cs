using System.Globalization;

namespace Microsoft.ML.Vae.Core.Imaging;

/// <summary>An 8-bit sRGB color.</summary>
/// <param name="R">Red, 0 … 255.</param>
/// <param name="G">Green, 0 … 255.</param>
/// <param name="B">Blue, 0 … 255.</param>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    /// <summary>The color as "#rrggbb".</summary>
    public string ToHex() => string.Create(CultureInfo.InvariantCulture, $"#{R:x2}{G:x2}{B:x2}");

    /// <summary>Ten well-separated colors for series (matplotlib's "tab10").</summary>
    public static IReadOnlyList<Rgb> Categorical { get; } =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
    ];

    /// <inheritdoc />
    public override string ToString() => ToHex();
}
