using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

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

/// <summary>A small MLP VAE that implements <see cref="IPersistableModel"/> through <see cref="Module"/>.</summary>
internal sealed class PersistenceTestModel : Module, IPersistableModel
{
    public const string ModelKind = "test-ae";
    private readonly PersistenceTestOptions _options;
    private readonly Linear _enc1, _enc2, _dec1, _dec2;

    public PersistenceTestModel(PersistenceTestOptions options)
    {
        if (options.Hidden < 1) throw new ArgumentException($"Hidden must be positive, got {options.Hidden}.", nameof(options));
        _options = options;
        int d = (int)options.SampleShape.Aggregate(1L, (a, b) => a * b);
        _enc1 = RegisterModule("enc1", new Linear(d, options.Hidden));
        _enc2 = RegisterModule("enc2", new Linear(options.Hidden, 2 * options.LatentDim));
        _dec1 = RegisterModule("dec1", new Linear(options.LatentDim, options.Hidden));
        _dec2 = RegisterModule("dec2", new Linear(options.Hidden, d));
        RegisterBuffer("scale", Torch.Ones([d]));
        Prior = new StandardNormalPrior(options.LatentDim);
    }

    public string Kind => ModelKind;
    public int LatentDim => _options.LatentDim;
    public long[] SampleShape => _options.SampleShape.ToArray();
    public Device Device => Parameters()[0].Device;
    public IPrior Prior { get; }
    public IObservationModel Observation { get; } = new GaussianObservationModel(1.0, clampToUnitRange: false);
    public object Options => _options;

    public (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        using var scope = Torch.NewDisposeScope();
        var h = Activate(_enc1.Forward(x.Flatten(1)));
        var o = _enc2.Forward(h);
        return (o.Narrow(1, 0, LatentDim).MoveToOuterScope(), o.Narrow(1, LatentDim, LatentDim).MoveToOuterScope());
    }

    public Tensor Decode(Tensor z)
    {
        using var scope = Torch.NewDisposeScope();
        var y = _dec2.Forward(Activate(_dec1.Forward(z)));
        return y.Reshape([z.Size(0), .. _options.SampleShape]).MoveToOuterScope();
    }

    public void SetTraining(bool training) => Train(training);

    private Tensor Activate(Tensor t) => _options.Activation == PersistenceTestActivation.Relu ? t.Relu() : t.LeakyRelu(0.2);
}

/// <summary>Rebuilds <see cref="PersistenceTestModel"/>s from their configuration.</summary>
internal sealed class PersistenceTestFamily : IModelFamily
{
    public IReadOnlyCollection<string> Kinds { get; } = [PersistenceTestModel.ModelKind];

    public IPersistableModel Create(ModelConfig config, Device device)
    {
        var model = new PersistenceTestModel(config.GetOptions<PersistenceTestOptions>());
        if (device.Type != DeviceType.Cpu) model.To(device);
        return model;
    }
}
