using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Persistence;

/// <summary>
/// Rebuilds <see cref="DpVae"/> models from saved configurations for <see cref="ModelStore"/>;
/// found by <see cref="ModelRegistry.Default"/> automatically. Kinds: <see cref="DpVaeKinds.All"/>.
/// A model with custom networks (<see cref="DpVaeOptions.CustomNetworks"/>) is refused with an
/// <see cref="InvalidDataException"/> pointing to <see cref="DpVae.Load(string, nn.Module{Tensor, Tensor}, nn.Module{Tensor, Tensor}, Device?)"/>.
/// </summary>
public sealed class DpVaeFamily : IModelFamily
{
    /// <inheritdoc />
    public IReadOnlyCollection<string> Kinds => DpVaeKinds.All.ToArray();

    /// <inheritdoc />
    public IPersistableModel Create(ModelConfig config, Device device)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = config.GetOptions<DpVaeOptions>(o => o.Kind);
        if (options.CustomNetworks)
            throw new InvalidDataException(
                $"This '{options.Kind}' model was built with a custom encoder and decoder, whose architecture a model file cannot describe. " +
                "Load it with DpVae.Load(path, encoder, decoder), supplying networks of the architecture it was saved with.");
        return new DpVae(options, device);
    }

    /// <inheritdoc />
    public long? MinimumWeightCount(ModelConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = config.GetOptions<DpVaeOptions>(o => o.Kind);
        // Custom networks are refused by Create; their size is unknown here.
        return options.CustomNetworks ? null : WeightCountBounds.DpVae(options);
    }
}
