namespace Microsoft.ML.Vae.Persistence;

/// <summary>
/// What a saved mapping needs besides its model: the component, its contract and the value scales.
/// Written to the manifest of the .zip by <see cref="VaeModelFile.Save(MLContext, ITransformer, DataViewSchema, string)"/>.
/// </summary>
/// <param name="Component">"featurizer" or "reconstruction".</param>
/// <param name="Contract">The ML.NET custom-mapping contract name.</param>
/// <param name="InputScale">Factor applied to input values before encoding.</param>
/// <param name="OutputScale">Factor applied to reconstructions (reconstruction only; 1 otherwise).</param>
/// <param name="ExpandGrayscaleToRgb">Whether single-plane reconstructions are repeated into three planes.</param>
internal sealed record MappingSettings(string Component, string Contract, float InputScale, float OutputScale, bool ExpandGrayscaleToRgb)
{
    /// <summary>The featurizer component name.</summary>
    public const string Featurizer = "featurizer";

    /// <summary>The reconstruction component name.</summary>
    public const string Reconstruction = "reconstruction";
}

/// <summary>A mapping to save: its settings and the model whose weights it needs.</summary>
internal sealed record MappingPayload(MappingSettings Settings, Core.Models.IVaeModel Model);

/// <summary>A mapping being reloaded: its settings and the loaded model.</summary>
internal sealed record LoadedMapping(MappingSettings Settings, Core.Models.IVaeModel Model);
