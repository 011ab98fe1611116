using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Data;
using Microsoft.ML.Vae.Mapping;

namespace Microsoft.ML.Vae;

/// <summary>
/// Estimator of a <see cref="VaeReconstructionTransformer"/> for a trained VAE (nothing is trained). Image
/// models must have 1 or 3 planes of 28, 32, 64, 128 or 256 pixels square; vector models any size.
/// </summary>
public sealed class VaeReconstructionEstimator : IEstimator<VaeReconstructionTransformer>
{
    private const string Component = "VAE reconstruction";
    private readonly TransformsCatalog _transforms;
    private readonly IVaeModel _model;
    private readonly VaeReconstructionOptions _options;

    internal VaeReconstructionEstimator(TransformsCatalog transforms, IVaeModel model, string outputColumnName, string inputColumnName,
        VaeReconstructionOptions? options)
    {
        _transforms = transforms ?? throw new ArgumentNullException(nameof(transforms));
        _model = model ?? throw new ArgumentNullException(nameof(model));
        MappingColumns.CheckUserName(outputColumnName, nameof(outputColumnName));
        MappingColumns.CheckUserName(inputColumnName, nameof(inputColumnName));
        _options = options?.Clone() ?? new VaeReconstructionOptions();
        _options.Validate();
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
    }

    /// <summary>The reconstruction column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The input column.</summary>
    public string InputColumnName { get; }

    /// <summary>Checks the input column and returns the transformer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The image shape is not offered, or the input column is missing or of the wrong type or size.</exception>
    public VaeReconstructionTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ReconstructionMenu.Get(_model.SampleShape, _options.ExpandGrayscaleToRgb);
        long sampleSize = _model.SampleShape.Aggregate(1L, (a, b) => checked(a * b));
        InputColumn.Check(input.Schema, InputColumnName, sampleSize, _model.SampleShape, Component);
        return VaeReconstructionTransformer.Create(_transforms, _model, OutputColumnName, InputColumnName, _options, input);
    }

    /// <summary>The schema after the transform: the input plus the reconstruction column.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var shape = ReconstructionMenu.Get(_model.SampleShape, _options.ExpandGrayscaleToRgb);
        InputColumn.Check(inputSchema, InputColumnName, Component);
        return VaeReconstructionTransformer.BuildPipeline(_transforms, shape, null, OutputColumnName, InputColumnName).GetOutputSchema(inputSchema);
    }
}
