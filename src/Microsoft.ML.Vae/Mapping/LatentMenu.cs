namespace Microsoft.ML.Vae.Mapping;

/// <summary>
/// The latent sizes the featurizer offers — one compile-time row type and one saved contract per size,
/// so that the output column keeps its vector size through Model.Save / Model.Load.
/// </summary>
internal static class LatentMenu
{
    private static readonly LatentShape[] Shapes =
    [
        new LatentShape<LatentRow2>(2, MappingContracts.Latent2),
        new LatentShape<LatentRow4>(4, MappingContracts.Latent4),
        new LatentShape<LatentRow8>(8, MappingContracts.Latent8),
        new LatentShape<LatentRow16>(16, MappingContracts.Latent16),
        new LatentShape<LatentRow32>(32, MappingContracts.Latent32),
        new LatentShape<LatentRow64>(64, MappingContracts.Latent64),
        new LatentShape<LatentRow128>(128, MappingContracts.Latent128),
        new LatentShape<LatentRow256>(256, MappingContracts.Latent256),
        new LatentShape<LatentRow512>(512, MappingContracts.Latent512),
    ];

    /// <summary>The offered latent sizes, ascending.</summary>
    public static IReadOnlyList<int> Sizes { get; } = Shapes.Select(s => s.Size).ToArray();

    /// <summary>The shape for <paramref name="latentDim"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not offered.</exception>
    public static LatentShape Get(int latentDim) =>
        Shapes.FirstOrDefault(s => s.Size == latentDim) ?? throw new ArgumentOutOfRangeException(nameof(latentDim), latentDim,
            $"The ML.NET featurizer offers latent dimensions {string.Join(", ", Sizes)}, not {latentDim}: the vector size of its output " +
            "column must be fixed at compile time to survive saving and loading. Train the model with one of these latent dimensions.");

    /// <summary>The shape whose row type is <typeparamref name="TRow"/>.</summary>
    public static LatentShape For<TRow>() where TRow : class, ILatentRow, new() =>
        Shapes.OfType<LatentShape<TRow>>().Single();
}

/// <summary>One entry of <see cref="LatentMenu"/>: a latent size, its contract and its row type.</summary>
internal abstract class LatentShape(int size, string contract)
{
    /// <summary>The latent dimension.</summary>
    public int Size { get; } = size;

    /// <summary>The saved contract name.</summary>
    public string Contract { get; } = contract;

    /// <summary>
    /// The custom mapping estimator. With <paramref name="source"/> null it only describes the output
    /// schema (for estimator schema propagation before training).
    /// </summary>
    public abstract IEstimator<ITransformer> CreateMapping(TransformsCatalog transforms, MappingSource? source);
}

/// <summary>A <see cref="LatentShape"/> with its row type.</summary>
internal sealed class LatentShape<TRow>(int size, string contract) : LatentShape(size, contract)
    where TRow : class, ILatentRow, new()
{
    /// <inheritdoc />
    public override IEstimator<ITransformer> CreateMapping(TransformsCatalog transforms, MappingSource? source)
    {
        Action<VaeInputRow, TRow> map;
        if (source is null) map = SchemaOnly;
        else map = new LatentMapper(source).Map;
        return transforms.CustomMapping(map, Contract);
    }

    private static void SchemaOnly(VaeInputRow input, TRow output) =>
        throw new InvalidOperationException("This mapping only describes the output schema; fit the estimator to get a working transformer.");
}

/// <summary>The featurizer's mapping delegate: latent mean and log-variance of one row.</summary>
internal sealed class LatentMapper(MappingSource source)
{
    /// <summary>Fills <paramref name="output"/> from <paramref name="input"/>.</summary>
    public void Map<TRow>(VaeInputRow input, TRow output) where TRow : ILatentRow
    {
        var (mean, logVariance) = source.Get(input.EmbeddedModel).Inference.Encode(input.Input);
        output.Mean = mean;
        output.LogVariance = logVariance;
    }
}
