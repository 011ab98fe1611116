using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae;

/// <summary>
/// Trains a Soft-IntroVAE, with the standard prior or a learned one (mixture of Gaussians or VampPrior,
/// per <see cref="SoftIntroOptions.PriorKind"/>), from <see cref="SoftIntroOptions"/>. A learned prior that is
/// initialized from data takes its first batches before training starts.
/// </summary>
public sealed class SoftIntroRecipe : VaeRecipe
{
    private readonly SoftIntroOptions _options;

    /// <summary>Creates the recipe from a validated copy of <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public SoftIntroRecipe(SoftIntroOptions options)
        // The copy is validated before the base reads its shapes.
        : base(nameof(SoftIntroOptions), ValidCopy(options, out var copy).Kind, copy.SampleShape, copy.LatentDim, copy.BatchSize, copy.Iterations) =>
        _options = copy;

    /// <summary>A copy of the options.</summary>
    public SoftIntroOptions Options => _options.Clone();

    /// <inheritdoc />
    protected override VaeTrainingSetup CreateSetup(long datasetSize, Device device) =>
        Own(new SoftIntroVae(_options, device), model => new VaeTrainingSetup(model, SoftIntroTraining.CreateProgram(model, _options),
            source => SoftIntroTraining.InitializePrior(model, source)));

    private static SoftIntroOptions ValidCopy(SoftIntroOptions options, out SoftIntroOptions copy)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return copy = options.Clone();
    }
}
