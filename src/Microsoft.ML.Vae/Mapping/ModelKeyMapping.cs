using System.ComponentModel;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Vae.Mapping;

/// <summary>Input of the model-key mapping: no columns.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ModelKeyInput
{
}

/// <summary>Output of the model-key mapping: the constant key of the embedded-model lookup.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ModelKeyRow
{
    /// <summary>Always <see cref="ModelKeyMapping.Key"/>.</summary>
    [ColumnName(MappingColumns.ModelKey)]
    public string Key { get; set; } = ModelKeyMapping.Key;
}

/// <summary>
/// The stateless mapping that gives every row the key under which the value-mapping transform finds the
/// embedded model (ML.NET has no public built-in transform that outputs a constant).
/// </summary>
internal static class ModelKeyMapping
{
    /// <summary>The key.</summary>
    public const string Key = "model";

    /// <summary>The estimator.</summary>
    public static IEstimator<ITransformer> Create(TransformsCatalog transforms) =>
        transforms.CustomMapping<ModelKeyInput, ModelKeyRow>(Map, MappingContracts.ModelKey);

    /// <summary>The mapping delegate.</summary>
    public static void Map(ModelKeyInput input, ModelKeyRow output) => output.Key = Key;
}

/// <summary>Reloads the model-key mapping.</summary>
[CustomMappingFactoryAttribute(MappingContracts.ModelKey)]
internal sealed class ModelKeyFactory : CustomMappingFactory<ModelKeyInput, ModelKeyRow>
{
    /// <inheritdoc />
    public override Action<ModelKeyInput, ModelKeyRow> GetMapping() => ModelKeyMapping.Map;
}
