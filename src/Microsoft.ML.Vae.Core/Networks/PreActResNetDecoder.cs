namespace Microsoft.ML.Vae.Core.Networks;

using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

/// <summary>
/// GAMIX-VAE's decoder (spec §4.2): dense to the code features → reshape to the code map → conv3×3(F)
/// → per stage [<see cref="PreActResNetConfig.DecoderIdentityBlocks"/>× ResId(F), ResUp(f)] with f = F
/// except the last stage, whose ResUp outputs the C image channels → conv1×1(C). Linear output
/// [N, C, H, W] (GAMIX reads it on the [−1, 1] scale).
/// Children: "dense", "stem", "stages", "output".
/// </summary>
public sealed class PreActResNetDecoder : Layer
{
    private readonly PreActResNetConfig _config;
    private readonly Linear _dense;
    private readonly Conv2d _stem;
    private readonly Sequential _stages;
    private readonly Conv2d _output;

    /// <summary>Builds the decoder described by <paramref name="config"/> (validated).</summary>
    public PreActResNetDecoder(PreActResNetConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
        double eps = config.BatchNormEps, momentum = config.BatchNormMomentum;
        _dense = RegisterModule("dense", new Linear(config.LatentDim, config.CodeFeatures));
        _stem = RegisterModule("stem", PreActResNetSamePadding.Conv(config.CodeChannels, config.Filters, 3));
        _stages = new Sequential();
        for (int s = 0; s < config.Stages; s++)
        {
            var stage = new Sequential();
            for (int b = 0; b < config.DecoderIdentityBlocks; b++) stage.Append(new PreActResNetIdentityBlock(config.Filters, eps, momentum));
            int filters = s == config.Stages - 1 ? config.Channels : config.Filters;
            stage.Append(new PreActResNetUpBlock(config.Filters, filters, eps, momentum));
            _stages.Append(stage);
        }
        RegisterModule("stages", _stages);
        _output = RegisterModule("output", PreActResNetSamePadding.Conv(config.Channels, config.Channels, 1));
    }

    /// <summary>The architecture.</summary>
    public PreActResNetConfig Config => _config;

    /// <summary>Images [N, C, H, W] (linear output) for latents [N, d].</summary>
    public override Tensor Forward(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        var c = _config;
        if (z.Dim != 2 || z.Size(1) != c.LatentDim)
            throw new ArgumentException($"The decoder expects latents [N, {c.LatentDim}], got [{string.Join(", ", z.Shape)}].", nameof(z));
        using var scope = Torch.NewDisposeScope();
        var h = _dense.Forward(z).Reshape([z.Size(0), c.CodeChannels, c.CodeHeight, c.CodeWidth]);
        h = _stem.Forward(h);
        h = _stages.Forward(h);
        return _output.Forward(h).MoveToOuterScope();
    }
}
