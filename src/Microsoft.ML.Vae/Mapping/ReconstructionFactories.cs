using Microsoft.ML.Transforms;

namespace Microsoft.ML.Vae.Mapping;

/// <summary>Reloads reconstruction transforms from the embedded model, its scales and plane expansion.</summary>
/// <typeparam name="TRow">The output row type of one image shape.</typeparam>
internal abstract class ReconstructionMappingFactory<TRow> : CustomMappingFactory<VaeInputRow, TRow>
    where TRow : class, IReconstructionRow, new()
{
    /// <inheritdoc />
    public sealed override Action<VaeInputRow, TRow> GetMapping() => new ReconstructionMapper(MappingSource.ForReload()).Map;
}

// One factory per reconstruction contract (see MappingContracts and LatentFactories.cs for why each needs its
// own declaration); ReconstructionMappingFactory<TRow> above does the work.
[CustomMappingFactoryAttribute(MappingContracts.Gray28)] internal sealed class ReconstructionFactoryGray28 : ReconstructionMappingFactory<ReconstructionRowGray28>;
[CustomMappingFactoryAttribute(MappingContracts.Rgb28)] internal sealed class ReconstructionFactoryRgb28 : ReconstructionMappingFactory<ReconstructionRowRgb28>;
[CustomMappingFactoryAttribute(MappingContracts.Gray32)] internal sealed class ReconstructionFactoryGray32 : ReconstructionMappingFactory<ReconstructionRowGray32>;
[CustomMappingFactoryAttribute(MappingContracts.Rgb32)] internal sealed class ReconstructionFactoryRgb32 : ReconstructionMappingFactory<ReconstructionRowRgb32>;
[CustomMappingFactoryAttribute(MappingContracts.Gray64)] internal sealed class ReconstructionFactoryGray64 : ReconstructionMappingFactory<ReconstructionRowGray64>;
[CustomMappingFactoryAttribute(MappingContracts.Rgb64)] internal sealed class ReconstructionFactoryRgb64 : ReconstructionMappingFactory<ReconstructionRowRgb64>;
[CustomMappingFactoryAttribute(MappingContracts.Gray128)] internal sealed class ReconstructionFactoryGray128 : ReconstructionMappingFactory<ReconstructionRowGray128>;
[CustomMappingFactoryAttribute(MappingContracts.Rgb128)] internal sealed class ReconstructionFactoryRgb128 : ReconstructionMappingFactory<ReconstructionRowRgb128>;
[CustomMappingFactoryAttribute(MappingContracts.Gray256)] internal sealed class ReconstructionFactoryGray256 : ReconstructionMappingFactory<ReconstructionRowGray256>;
[CustomMappingFactoryAttribute(MappingContracts.Rgb256)] internal sealed class ReconstructionFactoryRgb256 : ReconstructionMappingFactory<ReconstructionRowRgb256>;
[CustomMappingFactoryAttribute(MappingContracts.Vector)] internal sealed class ReconstructionFactoryVector : ReconstructionMappingFactory<ReconstructionRowVector>;
