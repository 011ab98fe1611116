namespace Microsoft.ML.Vae.Core.Networks;

using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

/// <summary>
/// One pre-activation unit of GAMIX-VAE's ResNet: BatchNorm → ReLU → convolution (or transposed
/// convolution) with Keras 'same' sizes (<see cref="PreActResNetSamePadding"/>).
/// Children: "norm" (<see cref="BatchNorm2d"/>) and "conv".
/// </summary>
public sealed class PreActResNetConv : Layer
{
    private readonly BatchNorm2d _norm;
    private readonly Layer _conv;

    /// <summary>Creates the unit.</summary>
    /// <param name="inChannels">Input channels (normalized by the batch norm).</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Odd kernel size.</param>
    /// <param name="stride">Convolution stride: 'same' sizes ⌈n/s⌉, or n·s when <paramref name="transposed"/>.</param>
    /// <param name="transposed">Use a transposed convolution (up-sampling).</param>
    /// <param name="batchNormEps">Batch-norm epsilon.</param>
    /// <param name="batchNormMomentum">Batch-norm running-statistics momentum (PyTorch convention).</param>
    public PreActResNetConv(int inChannels, int outChannels, int kernelSize, int stride, bool transposed, double batchNormEps, double batchNormMomentum)
    {
        if (inChannels <= 0) throw new ArgumentOutOfRangeException(nameof(inChannels), $"Input channels must be positive, got {inChannels}.");
        if (outChannels <= 0) throw new ArgumentOutOfRangeException(nameof(outChannels), $"Output channels must be positive, got {outChannels}.");
        InChannels = inChannels;
        OutChannels = outChannels;
        Stride = stride;
        Transposed = transposed;
        _norm = RegisterModule("norm", new BatchNorm2d(inChannels, batchNormEps, batchNormMomentum));
        _conv = RegisterModule("conv", transposed
            ? PreActResNetSamePadding.ConvTranspose(inChannels, outChannels, kernelSize, stride)
            : (Layer)PreActResNetSamePadding.Conv(inChannels, outChannels, kernelSize, stride));
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
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Dim != 4 || input.Size(1) != InChannels)
            throw new ArgumentException($"Expected a batch [N, {InChannels}, H, W], got [{string.Join(", ", input.Shape)}].", nameof(input));
        using var normalized = _norm.Forward(input);
        using var activated = normalized.Relu();
        return _conv.Forward(activated);
    }
}
