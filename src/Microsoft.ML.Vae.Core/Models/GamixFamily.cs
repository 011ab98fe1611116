using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Persistence;

/// <summary>
/// Rebuilds <see cref="GamixVae"/> models from saved configurations for <see cref="ModelStore"/>;
/// found by <see cref="ModelRegistry.Default"/> automatically. Kinds: "gamix", "gamix-baseline".
/// </summary>
public sealed class GamixFamily : IModelFamily
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Kinds => GamixKinds.All.ToArray();

    /// <inheritdoc />
    public IPersistableModel Create(ModelConfig config, Device device)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new GamixVae(config.GetOptions<GamixOptions>(o => o.Kind), device);
    }

    /// <inheritdoc />
    public long? MinimumWeightCount(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return WeightCountBounds.Gamix(config.GetOptions<GamixOptions>(o => o.Kind));
    }
}
