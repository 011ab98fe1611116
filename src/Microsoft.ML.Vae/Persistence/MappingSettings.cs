namespace Microsoft.ML.Vae.Persistence;

/// <summary>
/// What a mapping needs besides its model: the component and the value scales. Saved in the model's
/// embedded payload (see <see cref="EmbeddedModel"/>).
/// </summary>
/// <param name="Component">"featurizer" or "reconstruction".</param>
/// <param name="InputScale">Factor applied to input values before encoding.</param>
/// <param name="OutputScale">Factor applied to reconstructions (reconstruction only; 1 otherwise).</param>
/// <param name="ExpandGrayscaleToRgb">Whether single-plane reconstructions are repeated into three planes.</param>
internal sealed record MappingSettings(string Component, float InputScale, float OutputScale, bool ExpandGrayscaleToRgb)
{
    /// <summary>The featurizer component name.</summary>
    public const string Featurizer = "featurizer";

    /// <summary>The reconstruction component name.</summary>
    public const string Reconstruction = "reconstruction";
}

/// <summary>A mapping's settings and model, ready for row inference.</summary>
internal sealed record LoadedMapping(MappingSettings Settings, Core.Models.IVaeModel Model);
