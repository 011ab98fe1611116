using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Data;
using Microsoft.ML.Vae.Mapping;
using Microsoft.ML.Vae.Training;

namespace Microsoft.ML.Vae;

/// <summary>
/// Estimator of a <see cref="VaeFeaturizerTransformer"/>. Either trains a VAE from a <see cref="VaeRecipe"/> on
/// the input column during <see cref="Fit"/> (the transformer then owns the model), or wraps a model trained
/// elsewhere (the caller keeps owning it). The latent dimension must be one of 2, 4, 8, …, 512; the input
/// column must be a vector of floats of the model's sample size. Both are checked before any training.
/// </summary>
public sealed class VaeFeaturizerEstimator : IEstimator<VaeFeaturizerTransformer>
{
    private const string Component = "VAE featurizer";
    private readonly MLContext _mlContext;
    private readonly VaeRecipe? _recipe;
    private readonly IVaeModel? _model;
    private readonly VaeFeaturizerOptions _options;
    private readonly VaeTrainingOptions _training;

    internal VaeFeaturizerEstimator(MLContext mlContext, VaeRecipe recipe, string outputColumnName, string inputColumnName,
        VaeFeaturizerOptions? options, VaeTrainingOptions? training)
        : this(mlContext, outputColumnName, inputColumnName, options, training)
    {
        _recipe = recipe ?? throw new ArgumentNullException(nameof(recipe));
    }

    internal VaeFeaturizerEstimator(MLContext mlContext, IVaeModel model, string outputColumnName, string inputColumnName,
        VaeFeaturizerOptions? options)
        : this(mlContext, outputColumnName, inputColumnName, options, null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
    }

    private VaeFeaturizerEstimator(MLContext mlContext, string outputColumnName, string inputColumnName,
        VaeFeaturizerOptions? options, VaeTrainingOptions? training)
    {
        _mlContext = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
        MappingColumns.CheckUserName(outputColumnName, nameof(outputColumnName));
        MappingColumns.CheckUserName(inputColumnName, nameof(inputColumnName));
        _options = options?.Clone() ?? new VaeFeaturizerOptions();
        _options.Validate();
        if (_options.LogVarianceColumnName == outputColumnName)
            throw new ArgumentException("The log-variance column must differ from the output column.", nameof(options));
        _training = training ?? new VaeTrainingOptions();
        _training.Validate();
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
    }

    /// <summary>The latent-mean output column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The input column.</summary>
    public string InputColumnName { get; }

    /// <summary>Latent dimension of the model that <see cref="Fit"/> trains or wraps.</summary>
    public int LatentDim => _recipe?.LatentDim ?? _model!.LatentDim;

    /// <summary>Sample shape of that model.</summary>
    public IReadOnlyList<long> SampleShape => _recipe?.SampleShape ?? _model!.SampleShape;

    /// <summary>Trains the VAE (when built from a recipe) on the input column and returns the featurizer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The latent dimension is not offered, or the input column is missing or of the wrong type or size.</exception>
    public VaeFeaturizerTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        LatentMenu.Get(LatentDim);
        long sampleSize = SampleShape.Aggregate(1L, (a, b) => checked(a * b));
        var column = InputColumn.Check(input.Schema, InputColumnName, sampleSize, SampleShape, Component);
        if (_model is not null)
            return VaeFeaturizerTransformer.Create(_mlContext, _model, ownsModel: false, OutputColumnName, InputColumnName, _options, input);

        var trained = VaeFitting.Train(_mlContext, _recipe!, input, column, _options.InputScale, _training);
        try
        {
            return VaeFeaturizerTransformer.Create(_mlContext, trained, ownsModel: true, OutputColumnName, InputColumnName, _options, input);
        }
        catch
        {
            trained.Dispose();
            throw;
        }
    }

    /// <summary>The schema after the featurizer: the input plus the latent column(s) of known size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The latent dimension is not offered, or the input column is missing or not a float vector.</exception>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        var shape = LatentMenu.Get(LatentDim);
        InputColumn.Check(inputSchema, InputColumnName, Component);
        return VaeFeaturizerTransformer.BuildPipeline(_mlContext, shape, null, OutputColumnName, InputColumnName, _options)
            .GetOutputSchema(inputSchema);
    }
}
