using System.Text.Json;

namespace Microsoft.ML.Vae.Core.Persistence;

/// <summary>The contents of a model file's config.json.</summary>
public sealed record ModelConfig
{
    /// <summary>Layout version of the model file (see <see cref="ModelStore.FormatVersion"/>).</summary>
    public int FormatVersion { get; init; } = ModelStore.FormatVersion;

    /// <summary>The model kind, which selects the <see cref="IModelFamily"/>.</summary>
    public required string Kind { get; init; }

    /// <summary>The family's options object as JSON (camelCase names, enums as strings).</summary>
    public required JsonElement Options { get; init; }

    /// <summary>Shape of one data sample.</summary>
    public required long[] SampleShape { get; init; }

    /// <summary>Latent dimension.</summary>
    public required int LatentDim { get; init; }

    /// <summary>Version of the library that wrote the file.</summary>
    public string LibraryVersion { get; init; } = "";

    /// <summary>When the file was written (UTC).</summary>
    public DateTime CreatedUtc { get; init; }

    /// <summary>
    /// The options as <typeparamref name="T"/>, read with <see cref="ModelStore.JsonOptions"/>; unknown
    /// names, wrong types and enum values raise <see cref="InvalidDataException"/>.
    /// </summary>
    public T GetOptions<T>() where T : class
    {
        try
        {
            return Options.Deserialize<T>(ModelStore.JsonOptions)
                ?? throw new InvalidDataException($"The options of '{Kind}' are null.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"The options of '{Kind}' do not fit {typeof(T).Name}: {ex.Message}", ex);
        }
        catch (NotSupportedException ex)
        {
            throw new InvalidDataException($"The options of '{Kind}' cannot be read as {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The options as <typeparamref name="T"/>, checked to describe the same kind of model as the file
    /// (<paramref name="kindOf"/> reads the kind the options imply).
    /// </summary>
    public T GetOptions<T>(Func<T, string> kindOf) where T : class
    {
        ArgumentNullException.ThrowIfNull(kindOf);
        var options = GetOptions<T>();
        if (kindOf(options) != Kind)
            throw new InvalidDataException($"The options describe a '{kindOf(options)}' model but the file says '{Kind}'.");
        return options;
    }
}

/// <summary>What <see cref="ModelStore.ReadInfo(string)"/> tells about a model file without building the model.</summary>
/// <param name="Config">The configuration.</param>
/// <param name="ParameterCount">Scalars stored in the weights (parameters and buffers).</param>
/// <param name="TensorCount">Tensors stored in the weights.</param>
/// <param name="WeightsBytes">Size of weights.safetensors in bytes.</param>
/// <param name="HasHistory">True when the file holds a training history.</param>
public sealed record ModelInfo(ModelConfig Config, long ParameterCount, int TensorCount, long WeightsBytes, bool HasHistory)
{
    /// <summary>Stored weights that are NaN, ±Inf or beyond ±<see cref="ModelLoadOptions.MaxAbsWeight"/> (non-zero only when they were allowed).</summary>
    public long SuspectWeightCount { get; init; }

    /// <summary>Rows of the stored training history (0 without one).</summary>
    public int HistoryRowCount { get; init; }
}
