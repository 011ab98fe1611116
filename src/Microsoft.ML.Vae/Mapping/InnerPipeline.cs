namespace Microsoft.ML.Vae.Mapping;

/// <summary>
/// Builds the chain of built-in transforms around a custom mapping: a constant key column, a value mapping
/// from that key to the embedded model text (the value mapping saves its table in the model file, which is
/// how the weights survive plain <c>mlContext.Model.Save</c>/<c>Load</c>), the user's input column copied to
/// the mapping's fixed input name, the mapping, its fixed outputs copied to the user's names, and the
/// fixed-name temporaries dropped. Every step is a savable ML.NET transform.
/// </summary>
internal static class InnerPipeline
{
    /// <summary>The chain.</summary>
    /// <param name="transforms">The context's transforms catalog.</param>
    /// <param name="inputColumnName">The user's input column.</param>
    /// <param name="embeddedModel">The embedded model text (see <see cref="Persistence.EmbeddedModel"/>); empty for schema propagation.</param>
    /// <param name="mapping">The custom mapping estimator.</param>
    /// <param name="outputs">(user name, fixed name) of each output to keep.</param>
    /// <param name="temporaries">Fixed-name columns to drop at the end.</param>
    public static IEstimator<ITransformer> Build(TransformsCatalog transforms, string inputColumnName, string embeddedModel,
        IEstimator<ITransformer> mapping, IEnumerable<(string UserName, string FixedName)> outputs, IEnumerable<string> temporaries)
    {
        IEstimator<ITransformer> chain = ModelKeyMapping.Create(transforms)
            .Append(transforms.Conversion.MapValue(MappingColumns.EmbeddedModel,
                [new KeyValuePair<string, string>(ModelKeyMapping.Key, embeddedModel)], MappingColumns.ModelKey))
            .Append(transforms.CopyColumns(MappingColumns.Input, inputColumnName))
            .Append(mapping);
        foreach (var (userName, fixedName) in outputs)
            chain = chain.Append(transforms.CopyColumns(userName, fixedName));
        return chain.Append(transforms.DropColumns(
            [MappingColumns.ModelKey, MappingColumns.EmbeddedModel, MappingColumns.Input, .. temporaries]));
    }
}
