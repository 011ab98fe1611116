using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// Keras' <c>padding='same'</c> size rules expressed with PyTorch's symmetric padding, for odd
/// kernel sizes: a convolution with stride s maps a side n to ⌈n/s⌉, a transposed convolution maps
/// n to n·s. Used by the pre-activation ResNet and the PatchGAN of GAMIX-VAE.
/// </summary>
/// <remarks>
/// Only the sizes are reproduced. When the total padding is odd (stride-2 3×3 convolutions on even
/// sides), TensorFlow puts the extra row and column at the bottom and right, while the symmetric
/// padding used here samples a grid shifted by one pixel; weights trained by one framework are
/// therefore not interchangeable with the other's without re-aligning them.
/// </remarks>
public static class PreActResNetSamePadding
{
    /// <summary>Output side of a 'same' convolution with <paramref name="stride"/>: ⌈n/s⌉.</summary>
    public static long ConvOutputSize(long inputSize, int stride)
    {
        CheckSize(inputSize);
        CheckStride(stride);
        return (inputSize + stride - 1) / stride;
    }

    /// <summary>Output side of a 'same' transposed convolution with <paramref name="stride"/>: n·s.</summary>
    public static long TransposedOutputSize(long inputSize, int stride)
    {
        CheckSize(inputSize);
        CheckStride(stride);
        return checked(inputSize * stride);
    }

    /// <summary>
    /// Symmetric padding (k − 1)/2 for an odd kernel size k; with any stride s it gives
    /// ⌊(n − 1)/s⌋ + 1 = ⌈n/s⌉ outputs, the 'same' size.
    /// </summary>
    public static int ConvPadding(int kernelSize)
    {
        CheckKernel(kernelSize);
        return (kernelSize - 1) / 2;
    }

    /// <summary>
    /// Padding p and output padding q of a transposed convolution with odd kernel k and stride s such
    /// that (n − 1)·s − 2p + k + q = n·s: the smallest p ≥ 0 with 0 ≤ q &lt; max(s, 1)
    /// (k = 3, s = 2 gives p = 1, q = 1; k = 3, s = 1 gives p = 1, q = 0).
    /// </summary>
    public static (int Padding, int OutputPadding) TransposedPadding(int kernelSize, int stride)
    {
        CheckKernel(kernelSize);
        CheckStride(stride);
        int padding = kernelSize > stride ? (kernelSize - stride + 1) / 2 : 0;
        int outputPadding = stride - kernelSize + 2 * padding;
        return (padding, outputPadding);
    }

    /// <summary>A 'same' convolution (with bias, as Keras' default).</summary>
    public static Conv2d Conv(int inChannels, int outChannels, int kernelSize, int stride = 1) =>
        ModuleOwnership.Build(() => nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: ConvPadding(kernelSize)));

    /// <summary>A 'same' transposed convolution (with bias, as Keras' default).</summary>
    public static ConvTranspose2d ConvTranspose(int inChannels, int outChannels, int kernelSize, int stride)
    {
        var (padding, outputPadding) = TransposedPadding(kernelSize, stride);
        return ModuleOwnership.Build(() => nn.ConvTranspose2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, output_padding: outputPadding));
    }

    private static void CheckKernel(int kernelSize)
    {
        if (kernelSize <= 0 || kernelSize % 2 == 0)
            throw new ArgumentOutOfRangeException(nameof(kernelSize), $"'same' padding is reproduced for odd kernel sizes only, got {kernelSize}.");
    }

    private static void CheckStride(int stride)
    {
        if (stride <= 0) throw new ArgumentOutOfRangeException(nameof(stride), $"The stride must be positive, got {stride}.");
    }

    private static void CheckSize(long size)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), $"The input side must be positive, got {size}.");
    }
}
