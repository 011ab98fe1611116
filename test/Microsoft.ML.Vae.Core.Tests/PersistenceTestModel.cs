using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Persistence.SafeTensors;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>Activation choice of the persistence test model (exercises enums-as-strings).</summary>
public enum PersistenceTestActivation
{
    Relu,
    LeakyRelu,
}

/// <summary>Options of the persistence test model.</summary>
public sealed class PersistenceTestOptions
{
    public int Hidden { get; set; } = 8;
    public int LatentDim { get; set; } = 2;
    public long[] SampleShape { get; set; } = [4];
    public PersistenceTestActivation Activation { get; set; } = PersistenceTestActivation.LeakyRelu;
    public double ClipValue { get; set; } = double.PositiveInfinity;
    public string? Note { get; set; }

    /// <summary>A computed, read-only member: written to the file and ignored when read back.</summary>
    public string Summary => $"{Hidden}x{LatentDim}";
}

/// <summary>
/// A small MLP VAE that implements <see cref="IPersistableModel"/> over <see cref="nn.Module"/>'s state dict,
/// the way a model of the library does.
/// </summary>
internal sealed class PersistenceTestModel : nn.Module, IPersistableModel
{
    public const string ModelKind = "test-ae";
    private readonly PersistenceTestOptions _options;
    private readonly Linear _enc1, _enc2, _dec1, _dec2;

    public PersistenceTestModel(PersistenceTestOptions options) : base(nameof(PersistenceTestModel))
    {
        if (options.Hidden < 1) throw new ArgumentException($"Hidden must be positive, got {options.Hidden}.", nameof(options));
        _options = options;
        int d = (int)options.SampleShape.Aggregate(1L, (a, b) => a * b);
        _enc1 = nn.Linear(d, options.Hidden);
        register_module("enc1", _enc1);
        _enc2 = nn.Linear(options.Hidden, 2 * options.LatentDim);
        register_module("enc2", _enc2);
        _dec1 = nn.Linear(options.LatentDim, options.Hidden);
        register_module("dec1", _dec1);
        _dec2 = nn.Linear(options.Hidden, d);
        register_module("dec2", _dec2);
        register_buffer("scale", torch.ones(d));
        Prior = new StandardNormalPrior(options.LatentDim);
    }

    public string Kind => ModelKind;
    public int LatentDim => _options.LatentDim;
    public long[] SampleShape => _options.SampleShape.ToArray();
    public Device Device => parameters().First().device;
    public IPrior Prior { get; }
    public IObservationModel Observation { get; } = new GaussianObservationModel(1.0, clampToUnitRange: false);
    public object Options => _options;

    public IReadOnlyDictionary<string, Tensor> StateDict() => state_dict();

    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true) => StateDictIO.LoadInto(this, state, strict);

    public (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = Activate(_enc1.forward(x.flatten(1)));
        var o = _enc2.forward(h);
        return (o.narrow(1, 0, LatentDim).MoveToOuterDisposeScope(), o.narrow(1, LatentDim, LatentDim).MoveToOuterDisposeScope());
    }

    public Tensor Decode(Tensor z)
    {
        using var scope = torch.NewDisposeScope();
        var y = _dec2.forward(Activate(_dec1.forward(z)));
        return y.reshape([z.size(0), .. _options.SampleShape]).MoveToOuterDisposeScope();
    }

    public void SetTraining(bool training) => train(training);

    private Tensor Activate(Tensor t) => _options.Activation == PersistenceTestActivation.Relu ? t.relu() : F.leaky_relu(t, 0.2);
}

/// <summary>Rebuilds <see cref="PersistenceTestModel"/>s from their configuration.</summary>
internal sealed class PersistenceTestFamily : IModelFamily
{
    public IReadOnlyCollection<string> Kinds { get; } = [PersistenceTestModel.ModelKind];

    public IPersistableModel Create(ModelConfig config, Device device)
    {
        var model = new PersistenceTestModel(config.GetOptions<PersistenceTestOptions>());
        if (device.type != DeviceType.CPU) model.to(device);
        return model;
    }
}
