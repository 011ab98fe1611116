using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// One pre-activation unit of GAMIX-VAE's ResNet: BatchNorm → ReLU → convolution (or transposed
/// convolution) with Keras 'same' sizes (<see cref="PreActResNetSamePadding"/>).
/// Children: "norm" (<see cref="BatchNorm2d"/>) and "conv".
/// </summary>
public sealed class PreActResNetConv : nn.Module<Tensor, Tensor>
{
    private readonly BatchNorm2d _norm;
    private readonly nn.Module<Tensor, Tensor> _conv;

    /// <summary>Creates the unit.</summary>
    /// <param name="inChannels">Input channels (normalized by the batch norm).</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Odd kernel size.</param>
    /// <param name="stride">Convolution stride: 'same' sizes ⌈n/s⌉, or n·s when <paramref name="transposed"/>.</param>
    /// <param name="transposed">Use a transposed convolution (up-sampling).</param>
    /// <param name="batchNormEps">Batch-norm epsilon.</param>
    /// <param name="batchNormMomentum">Batch-norm running-statistics momentum (PyTorch convention).</param>
    public PreActResNetConv(int inChannels, int outChannels, int kernelSize, int stride, bool transposed, double batchNormEps, double batchNormMomentum)
        : base(nameof(PreActResNetConv))
    {
        // Temporaries of the layer constructors are disposed here; the weights are claimed at the end.
        using var scope = torch.NewDisposeScope();
        if (inChannels <= 0) throw new ArgumentOutOfRangeException(nameof(inChannels), $"Input channels must be positive, got {inChannels}.");
        if (outChannels <= 0) throw new ArgumentOutOfRangeException(nameof(outChannels), $"Output channels must be positive, got {outChannels}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        Stride = stride;
        Transposed = transposed;
        _norm = nn.BatchNorm2d(inChannels, eps: batchNormEps, momentum: batchNormMomentum);
        register_module("norm", _norm);
        _conv = transposed
            ? PreActResNetSamePadding.ConvTranspose(inChannels, outChannels, kernelSize, stride)
            : (nn.Module<Tensor, Tensor>)PreActResNetSamePadding.Conv(inChannels, outChannels, kernelSize, stride);
        register_module("conv", _conv);
        ModuleOwnership.Claim(this);
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Convolution stride.</summary>
    public int Stride { get; }

    /// <summary>Whether the convolution is transposed.</summary>
    public bool Transposed { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.size(1) != InChannels)
            throw new ArgumentException($"Expected a batch [N, {InChannels}, H, W], got [{string.Join(", ", input.shape)}].", nameof(input));
        using var normalized = _norm.forward(input);
        using var activated = normalized.relu();
        return _conv.forward(activated);
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }
}
