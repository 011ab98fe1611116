using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// GAMIX-VAE's encoder (spec §4.2): LayerNorm over (H, W) of each channel → conv3×3(F) → per stage
/// [<see cref="PreActResNetConfig.EncoderIdentityBlocks"/>× ResId(F), ResDown(F)] → conv1×1 to the code
/// channels → flatten → two dense heads, mean and log-variance. Input: images [N, C, H, W] on the
/// scale the caller chose (GAMIX feeds [−1, 1]).
/// Children: "input_norm", "stem", "stages", "code", "mean", "logvar".
/// </summary>
public sealed class PreActResNetEncoder : GaussianEncoder
{
    private readonly PreActResNetConfig _config;
    private readonly LayerNorm _inputNorm;
    private readonly Conv2d _stem;
    private readonly Sequential _stages;
    private readonly Conv2d _code;
    private readonly Linear _mean;
    private readonly Linear _logVar;

    /// <summary>Builds the encoder described by <paramref name="config"/> (validated).</summary>
    public PreActResNetEncoder(PreActResNetConfig config)
        : base(nameof(PreActResNetEncoder))
    {
        // Temporaries of the layer constructors are disposed here; the weights are claimed at the end.
        using var scope = torch.NewDisposeScope();
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
        double eps = config.BatchNormEps, momentum = config.BatchNormMomentum;
        // Keras' LayerNormalization(axis=(1, 2)) on NHWC: per sample and channel over (H, W), affine weights shaped [H, W].
        _inputNorm = nn.LayerNorm([config.Height, config.Width], config.LayerNormEps);
        register_module("input_norm", _inputNorm);
        _stem = PreActResNetSamePadding.Conv(config.Channels, config.Filters, 3);
        register_module("stem", _stem);
        _stages = nn.Sequential();
        for (int s = 0; s < config.Stages; s++)
        {
            var stage = nn.Sequential();
            for (int b = 0; b < config.EncoderIdentityBlocks; b++) stage.append(new PreActResNetIdentityBlock(config.Filters, eps, momentum));
            stage.append(new PreActResNetDownBlock(config.Filters, config.Filters, eps, momentum));
            _stages.append(stage);
        }
        register_module("stages", _stages);
        _code = PreActResNetSamePadding.Conv(config.Filters, config.CodeChannels, 1);
        register_module("code", _code);
        _mean = nn.Linear(config.CodeFeatures, config.LatentDim);
        register_module("mean", _mean);
        _logVar = nn.Linear(config.CodeFeatures, config.LatentDim);
        register_module("logvar", _logVar);
        ModuleOwnership.Claim(this);
    }

    /// <summary>The architecture.</summary>
    public PreActResNetConfig Config => _config;

    /// <inheritdoc />
    public override int LatentDim => _config.LatentDim;

    /// <summary>The code map [N, code channels, H/2^stages, W/2^stages] before the dense heads.</summary>
    public Tensor Features(Tensor x)
    {
        CheckInput(x);
        using var scope = torch.NewDisposeScope();
        var h = _inputNorm.forward(x);
        h = _stem.forward(h);
        h = _stages.forward(h);
        return _code.forward(h).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override (Tensor Mean, Tensor LogVar) forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var flat = Features(x).flatten(1);
        return (_mean.forward(flat).MoveToOuterDisposeScope(), _logVar.forward(flat).MoveToOuterDisposeScope());
    }

    private void CheckInput(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var c = _config;
        if (x.dim() != 4 || x.size(1) != c.Channels || x.size(2) != c.Height || x.size(3) != c.Width)
            throw new ArgumentException(
                $"The encoder expects images [N, {c.Channels}, {c.Height}, {c.Width}], got [{string.Join(", ", x.shape)}].", nameof(x));
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }
}
