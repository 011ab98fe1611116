using Microsoft.ML.Data;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Data;

namespace Microsoft.ML.Vae;

/// <summary>
/// Base of the VAE transformers: a thin wrapper that holds the VAE and an inner chain of built-in ML.NET
/// transforms (copy the input column, the custom mapping, copy the outputs to their names, drop the
/// temporaries), to which it forwards Transform, GetOutputSchema and GetRowToRowMapper after checking the
/// input column. Saving lets the inner chain write itself: the saved .zip holds only built-in ML.NET transforms,
/// and the VAE's weights travel as the table of one of them (see <see cref="Persistence.EmbeddedModel"/>), so plain
/// <c>mlContext.Model.Save</c>/<c>Load</c> round-trip the pipeline.
/// </summary>
public abstract class VaeMappingTransformer : ITransformer, IDisposable
{
    private readonly ITransformer _inner;
    private readonly bool _ownsModel;
    private bool _disposed;

    private protected VaeMappingTransformer(IVaeModel model, bool ownsModel, string inputColumnName, ITransformer inner, float inputScale)
    {
        Model = model;
        _ownsModel = ownsModel;
        InputColumnName = inputColumnName;
        _inner = inner;
        InputScale = inputScale;
    }

    /// <summary>The VAE. Owned by this transformer when the estimator trained it; otherwise by whoever supplied it.</summary>
    public IVaeModel Model { get; }

    /// <summary>The input column: flat float vectors of the model's sample size.</summary>
    public string InputColumnName { get; }

    /// <summary>Factor applied to input values before encoding.</summary>
    public float InputScale { get; }

    /// <summary>Number of values in one sample.</summary>
    public long SampleSize => Model.SampleShape.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>Component name used in messages.</summary>
    private protected abstract string Component { get; }

    /// <inheritdoc />
    public bool IsRowToRowMapper => _inner.IsRowToRowMapper;

    /// <inheritdoc />
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return _inner.GetOutputSchema(inputSchema);
    }

    /// <inheritdoc />
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckInput(input.Schema);
        return _inner.Transform(input);
    }

    /// <inheritdoc />
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
    {
        CheckInput(inputSchema);
        return _inner.GetRowToRowMapper(inputSchema);
    }

    /// <summary>Saves the inner chain, which carries the VAE as embedded text, into <paramref name="ctx"/>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _inner.Save(ctx);
    }

    /// <summary>Disposes the VAE when this transformer owns it.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_ownsModel) Model.Dispose();
    }

    private void CheckInput(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        ObjectDisposedException.ThrowIf(_disposed, this);
        InputColumn.Check(inputSchema, InputColumnName, SampleSize, Model.SampleShape, Component);
    }
}
