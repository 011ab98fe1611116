using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae;

/// <summary>
/// Trains a GAMIX-VAE (mixture aggregate posterior with the variance-collapse regularizer, optional PatchGAN,
/// pre-activation ResNet networks) or its plain-KL baseline, from <see cref="GamixOptions"/>.
/// </summary>
public sealed class GamixRecipe : VaeRecipe
{
    private readonly GamixOptions _options;

    /// <summary>Creates the recipe from a validated copy of <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid for training.</exception>
    public GamixRecipe(GamixOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateForTraining();
        _options = options.Clone();
    }

    /// <summary>A copy of the options.</summary>
    public GamixOptions Options => _options.Clone();

    /// <inheritdoc />
    public override string Kind => _options.Kind;

    /// <inheritdoc />
    public override IReadOnlyList<long> SampleShape => _options.SampleShape.ToArray();

    /// <inheritdoc />
    public override int LatentDim => _options.LatentDim;

    /// <inheritdoc />
    public override int BatchSize => _options.BatchSize;

    /// <inheritdoc />
    public override long Iterations => _options.Iterations;

    /// <inheritdoc />
    public override VaeTrainingSetup Create(long datasetSize, Device device)
    {
        if (datasetSize < _options.BatchSize)
            throw new ArgumentException(
                $"The training data has {datasetSize} rows, fewer than one batch ({_options.BatchSize}); lower GamixOptions.BatchSize or supply more rows.",
                nameof(datasetSize));
        var model = new GamixVae(_options, device);
        try
        {
            return new VaeTrainingSetup(model, GamixTraining.CreateProgram(model, _options));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
