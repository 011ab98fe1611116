using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

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
        // The copy is validated before the base reads its shapes.
        : base(nameof(DpVaeOptions), ValidCopy(options, out var copy).Kind, copy.SampleShape, copy.LatentDim, copy.BatchSize, copy.Iterations) =>
        _options = copy;

    /// <summary>A copy of the options.</summary>
    public DpVaeOptions Options => _options.Clone();

    /// <inheritdoc />
    protected override VaeTrainingSetup CreateSetup(long datasetSize, Device device)
    {
        // β-TCVAE's estimator needs the number of training rows, known only now.
        var options = _options.Clone();
        options.DatasetSize = datasetSize;
        options.ValidateForTraining();
        return Own(new DpVaeModel(options, device), model => new VaeTrainingSetup(model, DpVaeTraining.CreateProgram(model, options)));
    }

    private static DpVaeOptions ValidCopy(DpVaeOptions options, out DpVaeOptions copy)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return copy = options.Clone();
    }
}
