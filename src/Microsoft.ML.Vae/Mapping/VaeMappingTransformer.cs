using Microsoft.ML.Data;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Data;
using Microsoft.ML.Vae.Persistence;

namespace Microsoft.ML.Vae;

/// <summary>
/// Base of the VAE transformers: a thin wrapper that holds the VAE and an inner chain of built-in ML.NET
/// transforms (copy the input column, the custom mapping, copy the outputs to their names, drop the
/// temporaries), to which it forwards Transform, GetOutputSchema and GetRowToRowMapper after checking the
/// input column. Saving records the VAE in the current <see cref="VaeModelFile.Save(MLContext, ITransformer, DataViewSchema, string)"/>
/// session and then lets the inner chain write itself, so the saved .zip holds only built-in ML.NET transforms.
/// </summary>
public abstract class VaeMappingTransformer : ITransformer, IDisposable
{
    private readonly ITransformer _inner;
    private readonly MappingPayload _payload;
    private readonly bool _ownsModel;
    private bool _disposed;

    private protected VaeMappingTransformer(IVaeModel model, bool ownsModel, string inputColumnName, ITransformer inner, MappingSettings settings)
    {
        Model = model;
        _ownsModel = ownsModel;
        InputColumnName = inputColumnName;
        _inner = inner;
        _payload = new MappingPayload(settings, model);
    }

    /// <summary>The VAE. Owned by this transformer when the estimator trained it; otherwise by whoever supplied it.</summary>
    public IVaeModel Model { get; }

    /// <summary>The input column: flat float vectors of the model's sample size.</summary>
    public string InputColumnName { get; }

    /// <summary>Factor applied to input values before encoding.</summary>
    public float InputScale => _payload.Settings.InputScale;

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

    /// <summary>Records the VAE in the save session, then saves the inner chain into <paramref name="ctx"/>.</summary>
    void ICanSaveModel.Save(ModelSaveContext ctx)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        VaeSaveSession.Record(_payload);
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
