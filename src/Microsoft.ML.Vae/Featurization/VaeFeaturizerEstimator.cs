using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Data;
using Microsoft.ML.Vae.Mapping;
using Microsoft.ML.Vae.Runtime;
using Microsoft.ML.Vae.Training;

namespace Microsoft.ML.Vae;

/// <summary>
/// Estimator of a <see cref="VaeFeaturizerTransformer"/>. Either trains a VAE on the input column during
/// <see cref="Fit"/> (the transformer then owns the model) — from a <see cref="VaeRecipe"/>, or from a family call
/// such as <c>mlContext.Vae().BetaTcVae(...)</c> whose sample shape is taken from the input column — or wraps a
/// model trained elsewhere (the caller keeps owning it). The latent dimension must be one of 2, 4, 8, …, 512;
/// the input column must be a vector of floats of the model's sample size. Both are checked before any training.
/// </summary>
public sealed class VaeFeaturizerEstimator : IEstimator<VaeFeaturizerTransformer>
{
    private const string Component = "VAE featurizer";
    private readonly VaeEnvironment _environment;
    private readonly VaeRecipe? _recipe;
    private readonly Func<long[], VaeRecipe>? _recipeForShape;
    private readonly int _latentDim;
    private readonly IVaeModel? _model;
    private readonly VaeFeaturizerOptions _options;

    internal VaeFeaturizerEstimator(VaeEnvironment environment, VaeRecipe recipe, string outputColumnName, string inputColumnName,
        VaeFeaturizerOptions? options)
        : this(environment, outputColumnName, inputColumnName, options)
    {
        _recipe = recipe ?? throw new ArgumentNullException(nameof(recipe));
        _latentDim = recipe.LatentDim;
    }

    /// <summary>A featurizer whose recipe is made at <see cref="Fit"/> for the sample shape of the input column.</summary>
    internal VaeFeaturizerEstimator(VaeEnvironment environment, int latentDim, Func<long[], VaeRecipe> recipeForShape,
        string outputColumnName, string inputColumnName, VaeFeaturizerOptions? options)
        : this(environment, outputColumnName, inputColumnName, options)
    {
        _recipeForShape = recipeForShape ?? throw new ArgumentNullException(nameof(recipeForShape));
        _latentDim = latentDim;
    }

    internal VaeFeaturizerEstimator(VaeEnvironment environment, IVaeModel model, string outputColumnName, string inputColumnName,
        VaeFeaturizerOptions? options)
        : this(environment, outputColumnName, inputColumnName, options)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _latentDim = model.LatentDim;
    }

    private VaeFeaturizerEstimator(VaeEnvironment environment, string outputColumnName, string inputColumnName, VaeFeaturizerOptions? options)
    {
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
        MappingColumns.CheckUserName(outputColumnName, nameof(outputColumnName));
        MappingColumns.CheckUserName(inputColumnName, nameof(inputColumnName));
        _options = options?.Clone() ?? new VaeFeaturizerOptions();
        _options.Validate();
        if (_options.LogVarianceColumnName == outputColumnName)
            throw new ArgumentException("The log-variance column must differ from the output column.", nameof(options));
        OutputColumnName = outputColumnName;
        InputColumnName = inputColumnName;
    }

    /// <summary>The latent-mean output column.</summary>
    public string OutputColumnName { get; }

    /// <summary>The input column.</summary>
    public string InputColumnName { get; }

    /// <summary>Latent dimension of the model that <see cref="Fit"/> trains or wraps.</summary>
    public int LatentDim => _latentDim;

    /// <summary>Sample shape of that model; null when it is taken from the input column at <see cref="Fit"/>.</summary>
    public IReadOnlyList<long>? SampleShape => _recipe?.SampleShape ?? _model?.SampleShape;

    /// <summary>Trains the VAE (unless it wraps a trained one) on the input column and returns the featurizer.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The latent dimension is not offered, or the input column is missing or of the wrong type or size.</exception>
    /// <exception cref="ArgumentException">The input has fewer rows than one training batch.</exception>
    /// <exception cref="OperationCanceledException">The <see cref="MLContext"/> was cancelled during training.</exception>
    public VaeFeaturizerTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        LatentMenu.Get(LatentDim);
        var recipe = _recipe ?? (_recipeForShape is null ? null : _recipeForShape(InputColumn.SampleShapeOf(input.Schema, InputColumnName, Component)));
        var shape = recipe?.SampleShape ?? _model!.SampleShape;
        long sampleSize = shape.Aggregate(1L, (a, b) => checked(a * b));
        var column = InputColumn.Check(input.Schema, InputColumnName, sampleSize, shape, Component);
        if (_model is not null)
            return VaeFeaturizerTransformer.Create(_environment.Transforms, _model, ownsModel: false, OutputColumnName, InputColumnName, _options, input);

        var trained = VaeFitting.Train(_environment, recipe!, input, column, _options);
        try
        {
            return VaeFeaturizerTransformer.Create(_environment.Transforms, trained, ownsModel: true, OutputColumnName, InputColumnName, _options, input);
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
        return VaeFeaturizerTransformer.BuildPipeline(_environment.Transforms, shape, null, OutputColumnName, InputColumnName, _options)
            .GetOutputSchema(inputSchema);
    }
}
