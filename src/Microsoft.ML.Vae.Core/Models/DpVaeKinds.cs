namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Objectives;

/// <summary>
/// The model-kind strings of the dpVAE family: "vae", "beta-h", "beta-b", "beta-tc", "factor",
/// "info", each also with the "dp-" prefix when the decoupled prior is on (12 kinds).
/// </summary>
public static class DpVaeKinds
{
    /// <summary>Prefix of the kinds that use the decoupled flow prior.</summary>
    public const string DecoupledPrefix = "dp-";

    /// <summary>Every kind string of the family, non-decoupled first.</summary>
    public static IReadOnlyList<string> All { get; } =
        new[] { false, true }.SelectMany(dp => Enum.GetValues<Regularizer>().Select(r => Format(r, dp))).ToArray();

    /// <summary>The kind string of a regularizer with or without the decoupled prior.</summary>
    public static string Format(Regularizer regularizer, bool decoupledPrior)
    {
        string name = regularizer switch
        {
            Regularizer.Vae => "vae",
            Regularizer.BetaH => "beta-h",
            Regularizer.BetaB => "beta-b",
            Regularizer.BetaTc => "beta-tc",
            Regularizer.Factor => "factor",
            Regularizer.Info => "info",
            _ => throw new ArgumentOutOfRangeException(nameof(regularizer), regularizer, "Unknown regularizer."),
        };
        return decoupledPrior ? DecoupledPrefix + name : name;
    }

    /// <summary>Parses a kind string (case-insensitive); false when it is not a dpVAE-family kind.</summary>
    public static bool TryParse(string? kind, out Regularizer regularizer, out bool decoupledPrior)
    {
        regularizer = default;
        decoupledPrior = false;
        if (string.IsNullOrWhiteSpace(kind)) return false;
        var text = kind.Trim().ToLowerInvariant();
        if (text.StartsWith(DecoupledPrefix, StringComparison.Ordinal))
        {
            decoupledPrior = true;
            text = text[DecoupledPrefix.Length..];
        }
        foreach (var r in Enum.GetValues<Regularizer>())
        {
            if (Format(r, false) == text)
            {
                regularizer = r;
                return true;
            }
        }
        decoupledPrior = false;
        return false;
    }

    /// <summary>Parses a kind string or throws <see cref="ArgumentException"/> listing the valid kinds.</summary>
    public static (Regularizer Regularizer, bool DecoupledPrior) Parse(string kind)
    {
        if (TryParse(kind, out var r, out var dp)) return (r, dp);
        throw new ArgumentException($"Unknown dpVAE model kind '{kind}'. Valid kinds: {string.Join(", ", All)}.", nameof(kind));
    }
}
