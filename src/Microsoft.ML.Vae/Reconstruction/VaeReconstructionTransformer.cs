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
        ITransformer inner, MappingSettings settings)
        : base(model, ownsModel: false, inputColumnName, inner, settings)
    {
        OutputColumnName = outputColumnName;
        OutputDimensions = outputDimensions;
    }

    /// <summary>The reconstruction column.</summary>
    public string OutputColumnName { get; }

    /// <summary>Dimensions of one output vector: [planes, H, W] for images, else the sample shape.</summary>
    public IReadOnlyList<int> OutputDimensions { get; }

    private protected override string Component => "VAE reconstruction";

    internal static VaeReconstructionTransformer Create(MLContext mlContext, IVaeModel model, string outputColumnName, string inputColumnName,
        VaeReconstructionOptions options, IDataView data)
    {
        var shape = ReconstructionMenu.Get(model.SampleShape, options.ExpandGrayscaleToRgb);
        var mapper = new ReconstructionMapper(new RowInference(model, options.InputScale), options.OutputScale, options.ExpandGrayscaleToRgb);
        var inner = BuildPipeline(mlContext, shape, mapper, outputColumnName, inputColumnName).Fit(data);
        var settings = new MappingSettings(MappingSettings.Reconstruction, shape.Contract, options.InputScale, options.OutputScale, options.ExpandGrayscaleToRgb);
        return new VaeReconstructionTransformer(model, outputColumnName, inputColumnName,
            OutputImages.OutputDimensions(model.SampleShape, options.ExpandGrayscaleToRgb), inner, settings);
    }

    internal static IEstimator<ITransformer> BuildPipeline(MLContext mlContext, ReconstructionShape shape, ReconstructionMapper? mapper,
        string outputColumnName, string inputColumnName) =>
        InnerPipeline.Build(mlContext, inputColumnName, shape.CreateMapping(mlContext, mapper),
            [(outputColumnName, MappingColumns.Reconstruction)], [MappingColumns.Reconstruction]);
}
