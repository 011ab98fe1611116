using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Torch;

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
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options.Clone();
    }

    /// <summary>A copy of the options.</summary>
    public SoftIntroOptions Options => _options.Clone();

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
                $"The training data has {datasetSize} rows, fewer than one batch ({_options.BatchSize}); lower SoftIntroOptions.BatchSize or supply more rows.",
                nameof(datasetSize));
        var model = new SoftIntroVae(_options, device);
        try
        {
            return new VaeTrainingSetup(model, SoftIntroTraining.CreateProgram(model, _options),
                source => SoftIntroTraining.InitializePrior(model, source));
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
