namespace Microsoft.ML.Vae.Core.Data;

/// <summary>The 2-D toy distributions by name.</summary>
public static class ToyDatasets
{
    /// <summary>The accepted names: 8gaussians, 2spirals, checkerboard, rings, moons.</summary>
    public static IReadOnlyList<string> Names { get; } = ["8gaussians", "2spirals", "checkerboard", "rings", "moons"];

    /// <summary>True when <paramref name="name"/> (case-insensitive) names a toy distribution.</summary>
    public static bool IsToy(string? name) =>
        name is not null && Names.Contains(name.Trim(), StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates the sampler named <paramref name="name"/> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the valid names.</exception>
    public static IDataSampler Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "8gaussians" => new EightGaussiansSampler(),
            "2spirals" => new TwoSpiralsSampler(),
            "checkerboard" => new CheckerboardSampler(),
            "rings" => new RingsSampler(),
            "moons" => new MoonsSampler(),
            _ => throw new ArgumentException($"Unknown 2-D data set '{name}'. Valid names: {string.Join(", ", Names)}.", nameof(name)),
        };
    }
}
