using System.ComponentModel;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Vae.Mapping;

// One factory per reconstruction contract (see MappingContracts).

/// <summary>Reloads reconstruction transforms with 1×28×28 outputs.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Gray28)]
public sealed class ReconstructionFactoryGray28 : ReconstructionMappingFactory<ReconstructionRowGray28>
{
}

/// <summary>Reloads reconstruction transforms with 3×28×28 outputs.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Rgb28)]
public sealed class ReconstructionFactoryRgb28 : ReconstructionMappingFactory<ReconstructionRowRgb28>
{
}

/// <summary>Reloads reconstruction transforms with 1×32×32 outputs.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Gray32)]
public sealed class ReconstructionFactoryGray32 : ReconstructionMappingFactory<ReconstructionRowGray32>
{
}

/// <summary>Reloads reconstruction transforms with 3×32×32 outputs.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Rgb32)]
public sealed class ReconstructionFactoryRgb32 : ReconstructionMappingFactory<ReconstructionRowRgb32>
{
}

/// <summary>Reloads reconstruction transforms with 1×64×64 outputs.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Gray64)]
public sealed class ReconstructionFactoryGray64 : ReconstructionMappingFactory<ReconstructionRowGray64>
{
}

/// <summary>Reloads reconstruction transforms with 3×64×64 outputs.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Rgb64)]
public sealed class ReconstructionFactoryRgb64 : ReconstructionMappingFactory<ReconstructionRowRgb64>
{
}

/// <summary>Reloads reconstruction transforms with 1×128×128 outputs.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Gray128)]
public sealed class ReconstructionFactoryGray128 : ReconstructionMappingFactory<ReconstructionRowGray128>
{
}

/// <summary>Reloads reconstruction transforms with 3×128×128 outputs.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Rgb128)]
public sealed class ReconstructionFactoryRgb128 : ReconstructionMappingFactory<ReconstructionRowRgb128>
{
}

/// <summary>Reloads reconstruction transforms with 1×256×256 outputs.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Gray256)]
public sealed class ReconstructionFactoryGray256 : ReconstructionMappingFactory<ReconstructionRowGray256>
{
}

/// <summary>Reloads reconstruction transforms with 3×256×256 outputs.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Rgb256)]
public sealed class ReconstructionFactoryRgb256 : ReconstructionMappingFactory<ReconstructionRowRgb256>
{
}

/// <summary>Reloads reconstruction transforms with vector-shaped models.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
[CustomMappingFactoryAttribute(MappingContracts.Vector)]
public sealed class ReconstructionFactoryVector : ReconstructionMappingFactory<ReconstructionRowVector>
{
}
