namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Torch;

/// <summary>
/// Rebuilds <see cref="DpVae"/> models from saved configurations for <see cref="ModelStore"/>;
/// found by <see cref="ModelRegistry.Default"/> automatically. Kinds: <see cref="DpVaeKinds.All"/>.
/// </summary>
public sealed class DpVaeFamily : IModelFamily
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Kinds => DpVaeKinds.All.ToArray();

    /// <inheritdoc />
    public IPersistableModel Create(ModelConfig config, Device device)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new DpVae(config.GetOptions<DpVaeOptions>(o => o.Kind), device);
    }
}
