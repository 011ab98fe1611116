using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// GAMIX-VAE's PatchGAN discriminator (spec §4.2): for each layer i a 'same' conv3×3 with filters f_i
/// and stride s_i, BatchNorm after every convolution (the last one included), LeakyReLU after all but
/// the last (slope 0.3, Keras' default), Dropout after every layer (the last one included). The output
/// is a map of real/fake logits [N, f_last, H', W'], one per image patch (H' = H / Π s_i, rounded up
/// per layer). Defaults: filters [128, 128, 128, 64, 64, 1], strides [2, 2, 2, 1, 1, 1], dropout 0.25,
/// so a 256×256 image yields 32×32 patch logits. Child "layers": "0", "1", … each a Sequential of conv,
/// norm, activation (not on the last) and dropout.
/// </summary>
public sealed class PatchGanDiscriminator : nn.Module<Tensor, Tensor>
{
    /// <summary>The code's filters.</summary>
    public static IReadOnlyList<int> DefaultFilters { get; } = [128, 128, 128, 64, 64, 1];

    /// <summary>The code's strides.</summary>
    public static IReadOnlyList<int> DefaultStrides { get; } = [2, 2, 2, 1, 1, 1];

    private readonly Sequential _layers;
    private readonly int[] _filters;
    private readonly int[] _strides;

    /// <summary>Creates the discriminator for images with <paramref name="channels"/> channels.</summary>
    /// <param name="channels">Image channels.</param>
    /// <param name="filters">Filters per layer (default <see cref="DefaultFilters"/>).</param>
    /// <param name="strides">Stride per layer, as many as filters (default <see cref="DefaultStrides"/>).</param>
    /// <param name="negativeSlope">LeakyReLU slope (default 0.3).</param>
    /// <param name="dropout">Dropout probability after every layer (default 0.25).</param>
    /// <param name="batchNormEps">Batch-norm epsilon (default 1e-3, Keras' default).</param>
    /// <param name="batchNormMomentum">Batch-norm momentum, PyTorch convention (default 0.01 = Keras' 0.99).</param>
    public PatchGanDiscriminator(int channels, IReadOnlyList<int>? filters = null, IReadOnlyList<int>? strides = null,
        double negativeSlope = 0.3, double dropout = 0.25, double batchNormEps = 1e-3, double batchNormMomentum = 0.01)
        : base(nameof(PatchGanDiscriminator))
    {
        // Temporaries of the layer constructors are disposed here; the weights are claimed at the end.
        using var scope = torch.NewDisposeScope();
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), $"Image channels must be positive, got {channels}.");
        _filters = (filters ?? DefaultFilters).ToArray();
        _strides = (strides ?? DefaultStrides).ToArray();
        if (_filters.Length == 0) throw new ArgumentException("The PatchGAN needs at least one layer.", nameof(filters));
        if (_filters.Length != _strides.Length)
            throw new ArgumentException($"The PatchGAN has {_filters.Length} filter counts but {_strides.Length} strides.", nameof(strides));
        if (_filters.Any(f => f <= 0)) throw new ArgumentException($"Filters must be positive, got [{string.Join(", ", _filters)}].", nameof(filters));
        if (_strides.Any(s => s <= 0)) throw new ArgumentException($"Strides must be positive, got [{string.Join(", ", _strides)}].", nameof(strides));
        if (!(negativeSlope >= 0) || double.IsInfinity(negativeSlope))
            throw new ArgumentOutOfRangeException(nameof(negativeSlope), $"The LeakyReLU slope must be non-negative and finite, got {negativeSlope}.");
        if (!(dropout is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), $"Dropout must be in [0, 1), got {dropout}.");
        Channels = channels;
        _layers = nn.Sequential();
        int inChannels = channels;
        for (int i = 0; i < _filters.Length; i++)
        {
            var layer = nn.Sequential(
                PreActResNetSamePadding.Conv(inChannels, _filters[i], 3, _strides[i]),
                nn.BatchNorm2d(_filters[i], eps: batchNormEps, momentum: batchNormMomentum));
            if (i < _filters.Length - 1) layer.append(nn.LeakyReLU(negativeSlope));
            layer.append(nn.Dropout(dropout));
            _layers.append(layer);
            inChannels = _filters[i];
        }
        register_module("layers", _layers);
        ModuleOwnership.Claim(this);
    }

    /// <summary>Image channels.</summary>
    public int Channels { get; }

    /// <summary>Filters per layer.</summary>
    public IReadOnlyList<int> Filters => _filters;

    /// <summary>Stride per layer.</summary>
    public IReadOnlyList<int> Strides => _strides;

    /// <summary>Side of the patch-logit map for an image side <paramref name="inputSize"/> ('same' rule per layer).</summary>
    public long OutputSize(long inputSize)
    {
        long size = inputSize;
        foreach (int s in _strides) size = PreActResNetSamePadding.ConvOutputSize(size, s);
        return size;
    }

    /// <summary>Patch logits [N, f_last, H', W'] for images [N, C, H, W].</summary>
    public override Tensor forward(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.size(1) != Channels)
            throw new ArgumentException($"The PatchGAN expects images [N, {Channels}, H, W], got [{string.Join(", ", images.shape)}].", nameof(images));
        return _layers.forward(images);
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }
}
