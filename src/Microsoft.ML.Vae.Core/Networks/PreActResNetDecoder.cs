using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// GAMIX-VAE's decoder (spec §4.2): dense to the code features → reshape to the code map → conv3×3(F)
/// → per stage [<see cref="PreActResNetConfig.DecoderIdentityBlocks"/>× ResId(F), ResUp(f)] with f = F
/// except the last stage, whose ResUp outputs the C image channels → conv1×1(C). Linear output
/// [N, C, H, W] (GAMIX reads it on the [−1, 1] scale).
/// Children: "dense", "stem", "stages", "output".
/// </summary>
public sealed class PreActResNetDecoder : nn.Module<Tensor, Tensor>
{
    private readonly PreActResNetConfig _config;
    private readonly Linear _dense;
    private readonly Conv2d _stem;
    private readonly Sequential _stages;
    private readonly Conv2d _output;

    /// <summary>Builds the decoder described by <paramref name="config"/> (validated).</summary>
    public PreActResNetDecoder(PreActResNetConfig config)
        : base(nameof(PreActResNetDecoder))
    {
        // Temporaries of the layer constructors are disposed here; the weights are claimed at the end.
        using var scope = torch.NewDisposeScope();
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        _config = config;
        double eps = config.BatchNormEps, momentum = config.BatchNormMomentum;
        _dense = nn.Linear(config.LatentDim, config.CodeFeatures);
        register_module("dense", _dense);
        _stem = PreActResNetSamePadding.Conv(config.CodeChannels, config.Filters, 3);
        register_module("stem", _stem);
        _stages = nn.Sequential();
        for (int s = 0; s < config.Stages; s++)
        {
            var stage = nn.Sequential();
            for (int b = 0; b < config.DecoderIdentityBlocks; b++) stage.append(new PreActResNetIdentityBlock(config.Filters, eps, momentum));
            int filters = s == config.Stages - 1 ? config.Channels : config.Filters;
            stage.append(new PreActResNetUpBlock(config.Filters, filters, eps, momentum));
            _stages.append(stage);
        }
        register_module("stages", _stages);
        _output = PreActResNetSamePadding.Conv(config.Channels, config.Channels, 1);
        register_module("output", _output);
        ModuleOwnership.Claim(this);
    }

    /// <summary>The architecture.</summary>
    public PreActResNetConfig Config => _config;

    /// <summary>Images [N, C, H, W] (linear output) for latents [N, d].</summary>
    public override Tensor forward(Tensor z)
    {
        ArgumentNullException.ThrowIfNull(z);
        var c = _config;
        if (z.dim() != 2 || z.size(1) != c.LatentDim)
            throw new ArgumentException($"The decoder expects latents [N, {c.LatentDim}], got [{string.Join(", ", z.shape)}].", nameof(z));
        using var scope = torch.NewDisposeScope();
        var h = _dense.forward(z).reshape([z.size(0), c.CodeChannels, c.CodeHeight, c.CodeWidth]);
        h = _stem.forward(h);
        h = _stages.forward(h);
        return _output.forward(h).MoveToOuterDisposeScope();
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }
}
