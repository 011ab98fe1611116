namespace Microsoft.ML.Vae.Mapping;

/// <summary>
/// The reconstruction outputs offered: gray (1 plane) or RGB (3 planes) images of 28, 32, 64, 128 or 256
/// pixels square with compile-time sizes, and vector-shaped models with a per-row size.
/// </summary>
internal static class ReconstructionMenu
{
    private static readonly ReconstructionShape[] Shapes =
    [
        new ReconstructionShape<ReconstructionRowGray28>([1, 28, 28], MappingContracts.Gray28),
        new ReconstructionShape<ReconstructionRowRgb28>([3, 28, 28], MappingContracts.Rgb28),
        new ReconstructionShape<ReconstructionRowGray32>([1, 32, 32], MappingContracts.Gray32),
        new ReconstructionShape<ReconstructionRowRgb32>([3, 32, 32], MappingContracts.Rgb32),
        new ReconstructionShape<ReconstructionRowGray64>([1, 64, 64], MappingContracts.Gray64),
        new ReconstructionShape<ReconstructionRowRgb64>([3, 64, 64], MappingContracts.Rgb64),
        new ReconstructionShape<ReconstructionRowGray128>([1, 128, 128], MappingContracts.Gray128),
        new ReconstructionShape<ReconstructionRowRgb128>([3, 128, 128], MappingContracts.Rgb128),
        new ReconstructionShape<ReconstructionRowGray256>([1, 256, 256], MappingContracts.Gray256),
        new ReconstructionShape<ReconstructionRowRgb256>([3, 256, 256], MappingContracts.Rgb256),
    ];

    private static readonly ReconstructionShape VectorShape = new ReconstructionShape<ReconstructionRowVector>(null, MappingContracts.Vector);

    /// <summary>
    /// The shape for a model with samples <paramref name="sampleShape"/>: images [C, H, W] map to their
    /// output dimensions (see <see cref="OutputImages.OutputDimensions"/>), anything else to the vector shape.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The image shape is not offered.</exception>
    public static ReconstructionShape Get(IReadOnlyList<long> sampleShape, bool expandGrayscaleToRgb)
    {
        if (!OutputImages.IsImage(sampleShape)) return VectorShape;
        var dims = OutputImages.OutputDimensions(sampleShape, expandGrayscaleToRgb);
        return Shapes.FirstOrDefault(s => s.Dimensions!.SequenceEqual(dims)) ?? throw new ArgumentOutOfRangeException(nameof(sampleShape),
            $"Reconstructions of [{string.Join(", ", dims)}] images are not offered; the ML.NET layer offers 1 or 3 planes of " +
            "28, 32, 64, 128 or 256 pixels square (the image size must be fixed at compile time to survive saving and loading).");
    }

    /// <summary>The shape whose row type is <typeparamref name="TRow"/>.</summary>
    public static ReconstructionShape For<TRow>() where TRow : class, IReconstructionRow, new() =>
        Shapes.Append(VectorShape).OfType<ReconstructionShape<TRow>>().Single();
}

/// <summary>One entry of <see cref="ReconstructionMenu"/>.</summary>
internal abstract class ReconstructionShape(int[]? dimensions, string contract)
{
    /// <summary>Output dimensions [planes, H, W], or null for vector-shaped models.</summary>
    public int[]? Dimensions { get; } = dimensions;

    /// <summary>The saved contract name.</summary>
    public string Contract { get; } = contract;

    /// <summary>The custom mapping estimator; with <paramref name="mapper"/> null it only describes the output schema.</summary>
    public abstract IEstimator<ITransformer> CreateMapping(TransformsCatalog transforms, ReconstructionMapper? mapper);
}

/// <summary>A <see cref="ReconstructionShape"/> with its row type.</summary>
internal sealed class ReconstructionShape<TRow>(int[]? dimensions, string contract) : ReconstructionShape(dimensions, contract)
    where TRow : class, IReconstructionRow, new()
{
    /// <inheritdoc />
    public override IEstimator<ITransformer> CreateMapping(TransformsCatalog transforms, ReconstructionMapper? mapper)
    {
        Action<VaeInputRow, TRow> map;
        if (mapper is null) map = SchemaOnly;
        else map = mapper.Map;
        return transforms.CustomMapping(map, Contract);
    }

    private static void SchemaOnly(VaeInputRow input, TRow output) =>
        throw new InvalidOperationException("This mapping only describes the output schema; fit the estimator to get a working transformer.");
}

/// <summary>The reconstruction mapping delegate.</summary>
internal sealed class ReconstructionMapper(MappingSource source)
{
    /// <summary>Fills <paramref name="output"/> with the reconstruction of <paramref name="input"/>.</summary>
    public void Map<TRow>(VaeInputRow input, TRow output) where TRow : IReconstructionRow
    {
        var runtime = source.Get(input.EmbeddedModel);
        output.Reconstruction = runtime.Inference.Reconstruct(input.Input, runtime.Settings.OutputScale, runtime.Settings.ExpandGrayscaleToRgb);
    }
}
