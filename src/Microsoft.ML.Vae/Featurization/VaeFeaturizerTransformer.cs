using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Mapping;
using Microsoft.ML.Vae.Persistence;

namespace Microsoft.ML.Vae;

/// <summary>
/// Maps an input column of samples to the VAE's posterior mean μ(x), a vector of <see cref="LatentDim"/>
/// floats (and optionally the log-variance). Made by <see cref="VaeFeaturizerEstimator"/>; save it with
/// <see cref="VaeModelFile.Save(MLContext, ITransformer, DataViewSchema, string)"/>.
/// </summary>
public sealed class VaeFeaturizerTransformer : VaeMappingTransformer
{
    private VaeFeaturizerTransformer(IVaeModel model, bool ownsModel, string outputColumnName, string inputColumnName,
        VaeFeaturizerOptions options, ITransformer inner)
        : base(model, ownsModel, inputColumnName, inner, options.InputScale)
    {
        OutputColumnName = outputColumnName;
        LogVarianceColumnName = options.LogVarianceColumnName;
    }

    /// <summary>The latent-mean output column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The log-variance output column, or null.</summary>
    public string? LogVarianceColumnName { get; }

    /// <summary>Latent dimension: the vector size of the output column(s).</summary>
    public int LatentDim => Model.LatentDim;

    private protected override string Component => "VAE featurizer";

    /// <summary>Builds the transformer around <paramref name="model"/>, fitting the inner chain on <paramref name="data"/>'s schema.</summary>
    internal static VaeFeaturizerTransformer Create(TransformsCatalog transforms, IVaeModel model, bool ownsModel, string outputColumnName,
        string inputColumnName, VaeFeaturizerOptions options, IDataView data)
    {
        var shape = LatentMenu.Get(model.LatentDim);
        var mapping = new LoadedMapping(new MappingSettings(MappingSettings.Featurizer, options.InputScale, 1, false), model);
        var inner = BuildPipeline(transforms, shape, mapping, outputColumnName, inputColumnName, options).Fit(data);
        return new VaeFeaturizerTransformer(model, ownsModel, outputColumnName, inputColumnName, options, inner);
    }

    /// <summary>The inner chain; with <paramref name="mapping"/> null it serves schema propagation only.</summary>
    internal static IEstimator<ITransformer> BuildPipeline(TransformsCatalog transforms, LatentShape shape, LoadedMapping? mapping,
        string outputColumnName, string inputColumnName, VaeFeaturizerOptions options)
    {
        var outputs = new List<(string, string)> { (outputColumnName, MappingColumns.LatentMean) };
        if (options.LogVarianceColumnName is string logVar) outputs.Add((logVar, MappingColumns.LatentLogVariance));
        return InnerPipeline.Build(transforms, inputColumnName, mapping is null ? "" : EmbeddedModel.Encode(mapping.Settings, mapping.Model),
            shape.CreateMapping(transforms, mapping is null ? null : MappingSource.Fixed(mapping)), outputs,
            [MappingColumns.LatentMean, MappingColumns.LatentLogVariance]);
    }
}
