using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae;

/// <summary>
/// How to build and train one VAE family inside an ML.NET estimator: the model's shapes and batch
/// size are known before any data is read (so schema errors surface before training), and
/// <see cref="Create"/> builds the model and its training program once the number of rows is known.
/// <see cref="DpVaeRecipe"/> covers the dpVAE family; other families derive their own recipe.
/// </summary>
public abstract class VaeRecipe
{
    /// <summary>The model kind, e.g. "dp-beta-tc".</summary>
    public abstract string Kind { get; }

    /// <summary>Shape of one sample, e.g. [1, 28, 28]; the input column holds vectors of its product.</summary>
    public abstract IReadOnlyList<long> SampleShape { get; }

    /// <summary>Latent dimension d.</summary>
    public abstract int LatentDim { get; }

    /// <summary>Training batch size.</summary>
    public abstract int BatchSize { get; }

    /// <summary>Training iterations used when <see cref="VaeTrainingOptions.Iterations"/> is not set.</summary>
    public abstract long Iterations { get; }

    /// <summary>Number of values in one sample (the product of <see cref="SampleShape"/>).</summary>
    public long SampleSize => SampleShape.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>
    /// Builds the untrained model on <paramref name="device"/> and its training program for a data set
    /// of <paramref name="datasetSize"/> rows. Random initialization uses libtorch's generator, which the
    /// caller has seeded. The caller owns both results.
    /// </summary>
    public abstract VaeTrainingSetup Create(long datasetSize, Device device);
}

/// <summary>An untrained model and the program that trains it (see <see cref="VaeRecipe.Create"/>).</summary>
/// <param name="Model">The model; owned by the caller.</param>
/// <param name="Program">The training program; owned by the caller, disposed after training.</param>
/// <param name="Prepare">
/// Optional step run once with the training batches before the first optimization step (e.g. initializing a
/// learned prior from data); null when the family needs none.
/// </param>
public sealed record VaeTrainingSetup(IPersistableModel Model, ITrainingProgram Program, Action<IBatchSource>? Prepare = null);
