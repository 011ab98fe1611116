namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;
using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// What every family's model shares: the sample and latent shapes, the device, the training switch,
/// persistence of its options, and the checks on data and latent batches. A family adds its
/// networks, prior and observation model.
/// </summary>
public abstract class VaeModel : Module, IPersistableModel
{
    private readonly long[] _sampleShape;

    /// <summary>Records the shapes every batch is checked against.</summary>
    protected VaeModel(IReadOnlyList<long> sampleShape, int latentDim)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        _sampleShape = sampleShape.ToArray();
        LatentDim = latentDim;
    }

    /// <inheritdoc />
    public abstract string Kind { get; }

    /// <inheritdoc />
    public int LatentDim { get; }

    /// <inheritdoc />
    public long[] SampleShape => _sampleShape.ToArray();

    /// <inheritdoc />
    public Device Device => Parameters()[0].Device;

    /// <inheritdoc />
    public abstract IPrior Prior { get; }

    /// <inheritdoc />
    public abstract IObservationModel Observation { get; }

    /// <summary>The family's options as saved in model.zip (a copy).</summary>
    protected abstract object PersistedOptions { get; }

    object IPersistableModel.Options => PersistedOptions;

    /// <inheritdoc />
    public abstract (Tensor Mean, Tensor LogVar) Encode(Tensor x);

    /// <inheritdoc />
    public abstract Tensor Decode(Tensor z);

    /// <inheritdoc />
    public void SetTraining(bool training) => Train(training);

    /// <summary><paramref name="n"/> generated samples: z ~ prior → <see cref="Decode"/> (not clamped; see <see cref="IObservationModel.ToData"/>).</summary>
    public Tensor Sample(long n)
    {
        using var scope = Torch.NewDisposeScope();
        return Decode(Prior.Sample(n)).MoveToOuterScope();
    }

    /// <summary>Throws unless <paramref name="x"/> is a non-empty batch [N, ..SampleShape].</summary>
    protected void CheckData(Tensor x, string what = "a batch")
    {
        ArgumentNullException.ThrowIfNull(x);
        var shape = x.Shape;
        if (shape.Length != _sampleShape.Length + 1 || !shape.Skip(1).SequenceEqual(_sampleShape))
            throw new ArgumentException(
                $"Expected {what} [N, {string.Join(", ", _sampleShape)}], got [{string.Join(", ", shape)}].", nameof(x));
        if (shape[0] == 0) throw new ArgumentException("The batch is empty.", nameof(x));
    }

    /// <summary>Throws unless <paramref name="z"/> is a batch of latents [N, LatentDim].</summary>
    protected void CheckLatents(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (z.Dim != 2 || z.Size(1) != LatentDim)
            throw new ArgumentException($"Expected latents [N, {LatentDim}], got [{string.Join(", ", z.Shape)}].", nameof(z));
    }
}
