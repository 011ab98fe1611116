using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Persistence;

/// <summary>
/// Rebuilds <see cref="SoftIntroVae"/> models from saved configurations for <see cref="ModelStore"/>;
/// found by <see cref="ModelRegistry.Default"/> automatically. Kind: "soft-intro" (the prior kind is part of the options).
/// </summary>
public sealed class SoftIntroFamily : IModelFamily
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Kinds => [SoftIntroOptions.ModelKind];

    /// <inheritdoc />
    public IPersistableModel Create(ModelConfig config, Device device)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Kind != SoftIntroOptions.ModelKind)
            throw new InvalidDataException($"The S-IntroVAE family builds '{SoftIntroOptions.ModelKind}' models, not '{config.Kind}'.");
        var options = config.GetOptions<SoftIntroOptions>();
        if (options.LatentDim != config.LatentDim || !options.SampleShape.SequenceEqual(config.SampleShape))
            throw new InvalidDataException("The options' latent dimension or sample shape differ from the file's.");
        return new SoftIntroVae(options, device);
    }

    /// <inheritdoc />
    public long? MinimumWeightCount(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Kind == SoftIntroOptions.ModelKind ? WeightCountBounds.SoftIntro(config.GetOptions<SoftIntroOptions>()) : null;
    }
}
