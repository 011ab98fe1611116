using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae;

/// <summary>
/// How to build and train one VAE family inside an ML.NET estimator: the model's shapes and batch
/// size are known before any data is read (so schema errors surface before training), and
/// <see cref="Create"/> builds the model and its training program once the number of rows is known.
/// <see cref="DpVaeRecipe"/>, <see cref="SoftIntroRecipe"/> and <see cref="GamixRecipe"/> cover the core
/// families; another family derives its own recipe and implements <see cref="CreateSetup"/>.
/// </summary>
public abstract class VaeRecipe
{
    private readonly long[] _sampleShape;
    private readonly string _optionsName;

    /// <summary>Records what the estimator needs to know before training.</summary>
    /// <param name="optionsName">Name of the options type that sets the batch size, for messages (e.g. "DpVaeOptions").</param>
    /// <param name="kind">The model kind, e.g. "dp-beta-tc".</param>
    /// <param name="sampleShape">Shape of one sample, e.g. [1, 28, 28].</param>
    /// <param name="latentDim">Latent dimension d (at least 1).</param>
    /// <param name="batchSize">Training batch size (at least 1).</param>
    /// <param name="iterations">Default number of training iterations (at least 1).</param>
    /// <exception cref="ArgumentException">A value is missing or out of range.</exception>
    protected VaeRecipe(string optionsName, string kind, IReadOnlyList<long> sampleShape, int latentDim, int batchSize, long iterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(sampleShape);
        ArgumentException.ThrowIfNullOrEmpty(optionsName);
        if (sampleShape.Count == 0 || sampleShape.Any(s => s < 1))
            throw new ArgumentException($"The sample shape must have positive dimensions, got [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        ArgumentOutOfRangeException.ThrowIfLessThan(latentDim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1L);
        Kind = kind;
        _sampleShape = sampleShape.ToArray();
        LatentDim = latentDim;
        BatchSize = batchSize;
        Iterations = iterations;
        _optionsName = optionsName;
    }

    /// <summary>The model kind, e.g. "dp-beta-tc".</summary>
    public string Kind { get; }

    /// <summary>Shape of one sample, e.g. [1, 28, 28]; the input column holds vectors of its product.</summary>
    public IReadOnlyList<long> SampleShape => _sampleShape.ToArray();

    /// <summary>Latent dimension d.</summary>
    public int LatentDim { get; }

    /// <summary>Training batch size.</summary>
    public int BatchSize { get; }

    /// <summary>Training iterations (the model options' own count).</summary>
    public long Iterations { get; }

    /// <summary>Number of values in one sample (the product of <see cref="SampleShape"/>).</summary>
    public long SampleSize => _sampleShape.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>
    /// Builds the untrained model on <paramref name="device"/> and its training program for a data set
    /// of <paramref name="datasetSize"/> rows. Random initialization uses libtorch's generator, which the
    /// caller has seeded. The caller owns both results.
    /// </summary>
    /// <exception cref="ArgumentException">The data set is smaller than one batch.</exception>
    public VaeTrainingSetup Create(long datasetSize, Device device)
    {
        if (datasetSize < BatchSize)
            throw new ArgumentException(
                $"The training data has {datasetSize} rows, fewer than one batch ({BatchSize}); lower {_optionsName}.BatchSize or supply more rows.",
                nameof(datasetSize));
        return CreateSetup(datasetSize, device);
    }

    /// <summary>
    /// Builds the model and its training program; <paramref name="datasetSize"/> is at least one batch.
    /// <see cref="Own{TModel}"/> disposes the new model when building the program fails.
    /// </summary>
    protected abstract VaeTrainingSetup CreateSetup(long datasetSize, Device device);

    /// <summary>
    /// Completes <paramref name="model"/> into a setup with <paramref name="complete"/>, disposing the model
    /// (and its native memory) when that throws.
    /// </summary>
    protected static VaeTrainingSetup Own<TModel>(TModel model, Func<TModel, VaeTrainingSetup> complete)
        where TModel : IPersistableModel
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(complete);
        try
        {
            return complete(model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}

/// <summary>An untrained model and the program that trains it (see <see cref="VaeRecipe.Create"/>).</summary>
/// <param name="Model">The model; owned by the caller.</param>
/// <param name="Program">The training program; owned by the caller, disposed after training.</param>
/// <param name="Prepare">
/// Optional step run once with the training batches before the first optimization step (e.g. initializing a
/// learned prior from data); null when the family needs none.
/// </param>
public sealed record VaeTrainingSetup(IPersistableModel Model, ITrainingProgram Program, Action<IBatchSource>? Prepare = null);
