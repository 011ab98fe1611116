using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae;

using DpVaeModel = Microsoft.ML.Vae.Core.Models.DpVae;

/// <summary>
/// Trains a dpVAE-family model (VAE, β-VAE-H, β-VAE-B, β-TCVAE, FactorVAE, InfoVAE, each with or without
/// the decoupled flow prior) from <see cref="DpVaeOptions"/>. <see cref="DpVaeOptions.DatasetSize"/> is set
/// to the number of rows read at fit time.
/// </summary>
public sealed class DpVaeRecipe : VaeRecipe
{
    private readonly DpVaeOptions _options;

    /// <summary>Creates the recipe from a validated copy of <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public DpVaeRecipe(DpVaeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <summary>A copy of the options.</summary>
    public DpVaeOptions Options => _options.Clone();

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
                $"The training data has {datasetSize} rows, fewer than one batch ({_options.BatchSize}); lower DpVaeOptions.BatchSize or supply more rows.",
                nameof(datasetSize));
        var options = _options.Clone();
        options.DatasetSize = datasetSize;
        options.ValidateForTraining();
        var model = new DpVaeModel(options, device);
        try
        {
            return new VaeTrainingSetup(model, DpVaeTraining.CreateProgram(model, options));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
