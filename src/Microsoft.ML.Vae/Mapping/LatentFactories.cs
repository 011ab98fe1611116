using Microsoft.ML.Transforms;

namespace Microsoft.ML.Vae.Mapping;

/// <summary>Reloads featurizers: latent mean and log-variance from the embedded model.</summary>
/// <typeparam name="TRow">The output row type of one latent size.</typeparam>
/// <remarks>
/// ML.NET creates the factory with no context and no access to the file being loaded; the model reaches the
/// mapping through its rows instead (see <see cref="MappingSource"/>), so nothing here can fail at load time.
/// </remarks>
internal abstract class LatentMappingFactory<TRow> : CustomMappingFactory<VaeInputRow, TRow>
    where TRow : class, ILatentRow, new()
{
    /// <inheritdoc />
    public sealed override Action<VaeInputRow, TRow> GetMapping() => new LatentMapper(MappingSource.ForReload()).Map;
}

// One factory per featurizer contract (see MappingContracts): ML.NET finds a custom mapping's factory by the
// contract name saved in the .zip and creates it when the model is loaded. The factory must be a concrete,
// non-generic type carrying the contract in its attribute, hence one declaration per latent size; the work
// is done by LatentMappingFactory<TRow> above.
[CustomMappingFactoryAttribute(MappingContracts.Latent2)] internal sealed class LatentFactory2 : LatentMappingFactory<LatentRow2>;
[CustomMappingFactoryAttribute(MappingContracts.Latent4)] internal sealed class LatentFactory4 : LatentMappingFactory<LatentRow4>;
[CustomMappingFactoryAttribute(MappingContracts.Latent8)] internal sealed class LatentFactory8 : LatentMappingFactory<LatentRow8>;
[CustomMappingFactoryAttribute(MappingContracts.Latent16)] internal sealed class LatentFactory16 : LatentMappingFactory<LatentRow16>;
[CustomMappingFactoryAttribute(MappingContracts.Latent32)] internal sealed class LatentFactory32 : LatentMappingFactory<LatentRow32>;
[CustomMappingFactoryAttribute(MappingContracts.Latent64)] internal sealed class LatentFactory64 : LatentMappingFactory<LatentRow64>;
[CustomMappingFactoryAttribute(MappingContracts.Latent128)] internal sealed class LatentFactory128 : LatentMappingFactory<LatentRow128>;
[CustomMappingFactoryAttribute(MappingContracts.Latent256)] internal sealed class LatentFactory256 : LatentMappingFactory<LatentRow256>;
[CustomMappingFactoryAttribute(MappingContracts.Latent512)] internal sealed class LatentFactory512 : LatentMappingFactory<LatentRow512>;
