using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Persistence.SafeTensors;
using Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// What every family's model shares: the sample and latent shapes, the device, the training switch,
/// persistence of its options and weights, and the checks on data and latent batches. A family adds
/// its networks, prior and observation model.
/// </summary>
/// <remarks>
/// A model is a TorchSharp <see cref="nn.Module"/> whose submodules, parameters and buffers are
/// registered explicitly under fixed names (they are the names of the weights in model.zip); the
/// reflection-based registration of TorchSharp is switched off, so fields never add names of their own.
/// </remarks>
public abstract class VaeModel : nn.Module, IPersistableModel
{
    private readonly long[] _sampleShape;

    /// <summary>Records the shapes every batch is checked against.</summary>
    protected VaeModel(IReadOnlyList<long> sampleShape, int latentDim)
        : base(nameof(VaeModel))
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
    /// <remarks>The device of the first parameter (or buffer); the CPU for a model without either.</remarks>
    public Device Device => FirstTensor()?.device ?? torch.CPU;

    /// <summary>Element type of the weights (that of the first parameter; float32 for a model without parameters).</summary>
    protected ScalarType ParameterDType => FirstTensor()?.dtype ?? ScalarType.Float32;

    /// <inheritdoc />
    public abstract IPrior Prior { get; }

    /// <inheritdoc />
    public abstract IObservationModel Observation { get; }

    /// <summary>The family's options as saved in model.zip (a copy).</summary>
    protected abstract object PersistedOptions { get; }

    object IPersistableModel.Options => PersistedOptions;

    /// <inheritdoc />
    public override string GetName() => GetType().Name;

    /// <inheritdoc />
    public abstract (Tensor Mean, Tensor LogVar) Encode(Tensor x);

    /// <inheritdoc />
    public abstract Tensor Decode(Tensor z);

    /// <inheritdoc />
    public void SetTraining(bool training) => train(training);

    /// <summary>Every parameter and buffer by dotted name (the live tensors: <c>state_dict()</c>).</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict() => state_dict();

    /// <summary>
    /// Copies <paramref name="state"/> into the model's parameters and buffers; names, shapes and dtypes
    /// are checked first and reported clearly (see <see cref="StateDictIO.LoadInto(nn.Module, IReadOnlyDictionary{string, Tensor}, bool)"/>).
    /// </summary>
    public virtual void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true) =>
        StateDictIO.LoadInto(this, state, strict);

    /// <summary><paramref name="n"/> generated samples: z ~ prior → <see cref="Decode"/> (not clamped; see <see cref="IObservationModel.ToData"/>).</summary>
    public Tensor Sample(long n)
    {
        using var scope = torch.NewDisposeScope();
        return Decode(Prior.Sample(n)).MoveToOuterDisposeScope();
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }

    /// <summary>Throws unless <paramref name="x"/> is a non-empty batch [N, ..SampleShape].</summary>
    protected void CheckData(Tensor x, string what = "a batch")
    {
        ArgumentNullException.ThrowIfNull(x);
        var shape = x.shape;
        if (shape.Length != _sampleShape.Length + 1 || !shape.Skip(1).SequenceEqual(_sampleShape))
            throw new ArgumentException(
                $"Expected {what} [N, {string.Join(", ", _sampleShape)}], got [{string.Join(", ", shape)}].", nameof(x));
        if (shape[0] == 0) throw new ArgumentException("The batch is empty.", nameof(x));
    }

    /// <summary>Throws unless <paramref name="z"/> is a batch of latents [N, LatentDim].</summary>
    protected void CheckLatents(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        if (z.dim() != 2 || z.size(1) != LatentDim)
            throw new ArgumentException($"Expected latents [N, {LatentDim}], got [{string.Join(", ", z.shape)}].", nameof(z));
    }

    private Tensor? FirstTensor() =>
        (Tensor?)parameters().FirstOrDefault() ?? buffers().FirstOrDefault();
}
