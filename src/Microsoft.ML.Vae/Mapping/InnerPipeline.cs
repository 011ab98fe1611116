namespace Microsoft.ML.Vae.Mapping;

/// <summary>
/// Builds the chain of built-in transforms around a custom mapping: the user's input column is copied to the
/// mapping's fixed input name, the mapping's fixed outputs are copied to the user's names, and the fixed-name
/// temporaries are dropped. Every step is a savable ML.NET transform.
/// </summary>
internal static class InnerPipeline
{
    /// <summary>The chain.</summary>
    /// <param name="mlContext">The context.</param>
    /// <param name="inputColumnName">The user's input column.</param>
    /// <param name="mapping">The custom mapping estimator.</param>
    /// <param name="outputs">(user name, fixed name) of each output to keep.</param>
    /// <param name="temporaries">Fixed-name columns to drop at the end.</param>
    public static IEstimator<ITransformer> Build(MLContext mlContext, string inputColumnName, IEstimator<ITransformer> mapping,
        IEnumerable<(string UserName, string FixedName)> outputs, IEnumerable<string> temporaries)
    {
        IEstimator<ITransformer> chain = mlContext.Transforms.CopyColumns(MappingColumns.Input, inputColumnName).Append(mapping);
        foreach (var (userName, fixedName) in outputs)
            chain = chain.Append(mlContext.Transforms.CopyColumns(userName, fixedName));
        return chain.Append(mlContext.Transforms.DropColumns([MappingColumns.Input, .. temporaries]));
    }
}
