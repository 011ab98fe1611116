namespace Microsoft.ML.Vae.Mapping;

/// <summary>
/// Fixed column names of the custom mappings. They are compiled into the row types because ML.NET
/// reloads a custom mapping from its row types alone; the user's column names are applied around the
/// mapping by copy and drop transforms. Names under <see cref="Prefix"/> are reserved.
/// </summary>
public static class MappingColumns
{
    /// <summary>Prefix of every reserved column name.</summary>
    public const string Prefix = "Microsoft.ML.Vae.";

    /// <summary>The sample fed to a VAE.</summary>
    public const string Input = Prefix + "Input";

    /// <summary>Posterior mean of the latent code.</summary>
    public const string LatentMean = Prefix + "LatentMean";

    /// <summary>Posterior log-variance of the latent code.</summary>
    public const string LatentLogVariance = Prefix + "LatentLogVariance";

    /// <summary>The constant key under which the embedded model is looked up.</summary>
    public const string ModelKey = Prefix + "ModelKey";

    /// <summary>The model as embedded text, reaching the mapping in every row.</summary>
    public const string EmbeddedModel = Prefix + "EmbeddedModel";

    /// <summary>A reconstruction.</summary>
    public const string Reconstruction = Prefix + "Reconstruction";

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="name"/> is empty or reserved.</summary>
    internal static void CheckUserName(string? name, string paramName)
    {
        if (string.IsNullOrWhiteSpace(name)) throw new ArgumentException("A column name must not be empty.", paramName);
        if (name.StartsWith(Prefix, StringComparison.Ordinal))
            throw new ArgumentException($"Column name '{name}' is reserved: names starting with '{Prefix}' are used internally.", paramName);
    }
}
