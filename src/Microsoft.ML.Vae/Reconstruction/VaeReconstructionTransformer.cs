using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Mapping;
using Microsoft.ML.Vae.Persistence;

namespace Microsoft.ML.Vae;

/// <summary>
/// Maps an input column of samples to their reconstructions ToData(Decode(μ(x))), scaled to the output range:
/// for images a known-size vector [planes, H, W] that ConvertToImage accepts, for vector data a vector of the
/// sample size. Does not own its model.
/// </summary>
public sealed class VaeReconstructionTransformer : VaeMappingTransformer
{
    private VaeReconstructionTransformer(IVaeModel model, string outputColumnName, string inputColumnName, int[] outputDimensions,
        ITransformer inner, float inputScale)
        : base(model, ownsModel: false, inputColumnName, inner, inputScale)
    {
        OutputColumnName = outputColumnName;
        OutputDimensions = outputDimensions;
    }

    /// <summary>The reconstruction column.</summary>
    public string OutputColumnName { get; }

    /// <summary>Dimensions of one output vector: [planes, H, W] for images, else the sample shape.</summary>
    public IReadOnlyList<int> OutputDimensions { get; }

    private protected override string Component => "VAE reconstruction";

    internal static VaeReconstructionTransformer Create(TransformsCatalog transforms, IVaeModel model, string outputColumnName, string inputColumnName,
        VaeReconstructionOptions options, IDataView data)
    {
        var shape = ReconstructionMenu.Get(model.SampleShape, options.ExpandGrayscaleToRgb);
        var mapping = new LoadedMapping(
            new MappingSettings(MappingSettings.Reconstruction, options.InputScale, options.OutputScale, options.ExpandGrayscaleToRgb), model);
        var inner = BuildPipeline(transforms, shape, mapping, outputColumnName, inputColumnName).Fit(data);
        return new VaeReconstructionTransformer(model, outputColumnName, inputColumnName,
            OutputImages.OutputDimensions(model.SampleShape, options.ExpandGrayscaleToRgb), inner, options.InputScale);
    }

    internal static IEstimator<ITransformer> BuildPipeline(TransformsCatalog transforms, ReconstructionShape shape, LoadedMapping? mapping,
        string outputColumnName, string inputColumnName) =>
        InnerPipeline.Build(transforms, inputColumnName, mapping is null ? "" : EmbeddedModel.Encode(mapping.Settings, mapping.Model),
            shape.CreateMapping(transforms, mapping is null ? null : new ReconstructionMapper(MappingSource.Fixed(mapping))),
            [(outputColumnName, MappingColumns.Reconstruction)], [MappingColumns.Reconstruction]);
}
