namespace Microsoft.ML.Vae.Core.Networks;

using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

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
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
        double eps = config.BatchNormEps, momentum = config.BatchNormMomentum;
        // Keras' LayerNormalization(axis=(1, 2)) on NHWC: per sample and channel over (H, W), affine weights shaped [H, W].
        _inputNorm = RegisterModule("input_norm", new LayerNorm([config.Height, config.Width], config.LayerNormEps));
        _stem = RegisterModule("stem", PreActResNetSamePadding.Conv(config.Channels, config.Filters, 3));
        _stages = new Sequential();
        for (int s = 0; s < config.Stages; s++)
        {
            var stage = new Sequential();
            for (int b = 0; b < config.EncoderIdentityBlocks; b++) stage.Append(new PreActResNetIdentityBlock(config.Filters, eps, momentum));
            stage.Append(new PreActResNetDownBlock(config.Filters, config.Filters, eps, momentum));
            _stages.Append(stage);
        }
        RegisterModule("stages", _stages);
        _code = RegisterModule("code", PreActResNetSamePadding.Conv(config.Filters, config.CodeChannels, 1));
        _mean = RegisterModule("mean", new Linear(config.CodeFeatures, config.LatentDim));
        _logVar = RegisterModule("logvar", new Linear(config.CodeFeatures, config.LatentDim));
    }

    /// <summary>The architecture.</summary>
    public PreActResNetConfig Config => _config;

    /// <inheritdoc />
    public override int LatentDim => _config.LatentDim;

    /// <summary>The code map [N, code channels, H/2^stages, W/2^stages] before the dense heads.</summary>
    public Tensor Features(Tensor x)
    {
        CheckInput(x);
        using var scope = Torch.NewDisposeScope();
        var h = _inputNorm.Forward(x);
        h = _stem.Forward(h);
        h = _stages.Forward(h);
        return _code.Forward(h).MoveToOuterScope();
    }

    /// <inheritdoc />
    public override (Tensor Mean, Tensor LogVar) Forward(Tensor x)
    {
        using var scope = Torch.NewDisposeScope();
        var flat = Features(x).Flatten(1);
        return (_mean.Forward(flat).MoveToOuterScope(), _logVar.Forward(flat).MoveToOuterScope());
    }

    private void CheckInput(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var c = _config;
        if (x.Dim != 4 || x.Size(1) != c.Channels || x.Size(2) != c.Height || x.Size(3) != c.Width)
            throw new ArgumentException(
                $"The encoder expects images [N, {c.Channels}, {c.Height}, {c.Width}], got [{string.Join(", ", x.Shape)}].", nameof(x));
    }
}
