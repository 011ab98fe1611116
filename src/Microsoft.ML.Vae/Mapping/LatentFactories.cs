using System.ComponentModel;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Vae.Mapping;

// One factory per featurizer contract (see MappingContracts). ML.NET creates them by contract name when
// a saved model is loaded; they take the weights from the VaeModel.Load session.

/// <summary>Reloads featurizers with a 2-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Latent2)]
public sealed class LatentFactory2 : LatentMappingFactory<LatentRow2>
{
}

/// <summary>Reloads featurizers with a 4-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Latent4)]
public sealed class LatentFactory4 : LatentMappingFactory<LatentRow4>
{
}

/// <summary>Reloads featurizers with a 8-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Latent8)]
public sealed class LatentFactory8 : LatentMappingFactory<LatentRow8>
{
}

/// <summary>Reloads featurizers with a 16-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Latent16)]
public sealed class LatentFactory16 : LatentMappingFactory<LatentRow16>
{
}

/// <summary>Reloads featurizers with a 32-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Latent32)]
public sealed class LatentFactory32 : LatentMappingFactory<LatentRow32>
{
}

/// <summary>Reloads featurizers with a 64-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Latent64)]
public sealed class LatentFactory64 : LatentMappingFactory<LatentRow64>
{
}

/// <summary>Reloads featurizers with a 128-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Latent128)]
public sealed class LatentFactory128 : LatentMappingFactory<LatentRow128>
{
}

/// <summary>Reloads featurizers with a 256-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Latent256)]
public sealed class LatentFactory256 : LatentMappingFactory<LatentRow256>
{
}

/// <summary>Reloads featurizers with a 512-dimensional latent space.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Latent512)]
public sealed class LatentFactory512 : LatentMappingFactory<LatentRow512>
{
}
