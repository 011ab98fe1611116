using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

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
        // The copy is validated before the base reads its shapes.
        : base(nameof(GamixOptions), ValidCopy(options, out var copy).Kind, copy.SampleShape, copy.LatentDim, copy.BatchSize, copy.Iterations) =>
        _options = copy;

    /// <summary>A copy of the options.</summary>
    public GamixOptions Options => _options.Clone();

    /// <inheritdoc />
    protected override VaeTrainingSetup CreateSetup(long datasetSize, Device device) =>
        Own(new GamixVae(_options, device), model => new VaeTrainingSetup(model, GamixTraining.CreateProgram(model, _options)));

    private static GamixOptions ValidCopy(GamixOptions options, out GamixOptions copy)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateForTraining();
        return copy = options.Clone();
    }
}
