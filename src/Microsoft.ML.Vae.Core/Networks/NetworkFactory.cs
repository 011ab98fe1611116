using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>Builds encoder/decoder pairs from a sample shape and a <see cref="NetworkKind"/>.</summary>
public static class NetworkFactory
{
    /// <summary>Hidden sizes used for <see cref="NetworkKind.Mlp"/> when none are given.</summary>
    public static IReadOnlyList<int> DefaultMlpHiddenSizes { get; } = [256, 256];

    /// <summary>
    /// The concrete kind for <paramref name="sampleShape"/>: <see cref="NetworkKind.Auto"/> picks
    /// <see cref="NetworkKind.DpConv"/> for [C, 28, 28] and <see cref="NetworkKind.Mlp"/> for [D];
    /// an explicit kind is checked against the shape.
    /// </summary>
    public static NetworkKind Resolve(IReadOnlyList<long> sampleShape, NetworkKind kind)
    {
        CheckShape(sampleShape);
        bool image28 = sampleShape.Count == 3 && sampleShape[1] == BetaMnistNetworks.ImageSize && sampleShape[2] == BetaMnistNetworks.ImageSize;
        switch (kind)
        {
            case NetworkKind.Auto:
                if (image28) return NetworkKind.DpConv;
                if (sampleShape.Count == 1) return NetworkKind.Mlp;
                throw new ArgumentException(
                    $"No default network for sample shape [{string.Join(", ", sampleShape)}]: the built-in convolutional networks take [C, 28, 28] images " +
                    "and the MLP takes [D] vectors. Choose NetworkKind.Mlp to flatten the samples into vectors.", nameof(sampleShape));
            case NetworkKind.Mlp:
                return kind;
            case NetworkKind.DpConv:
            case NetworkKind.FactorConv:
                if (!image28)
                    throw new ArgumentException(
                        $"{kind} networks take [C, 28, 28] images, but the sample shape is [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
                return kind;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown network kind.");
        }
    }

    /// <summary>
    /// Creates a Gaussian encoder and a decoder (a TorchSharp module with output [N, ..sampleShape], linear)
    /// for latents of dimension <paramref name="latentDim"/>.
    /// </summary>
    public static (GaussianEncoder Encoder, nn.Module<Tensor, Tensor> Decoder) Create(IReadOnlyList<long> sampleShape, int latentDim, NetworkKind kind = NetworkKind.Auto,
        IReadOnlyList<int>? mlpHiddenSizes = null, Activation mlpActivation = Activation.ReLU)
    {
        if (latentDim <= 0) throw new ArgumentOutOfRangeException(nameof(latentDim), $"Latent dimension must be positive, got {latentDim}.");
        var resolved = Resolve(sampleShape, kind);
        switch (resolved)
        {
            case NetworkKind.DpConv:
                return (BetaMnistNetworks.Encoder(latentDim, (int)sampleShape[0]), BetaMnistNetworks.Decoder(latentDim, (int)sampleShape[0]));
            case NetworkKind.FactorConv:
                return (FactorMnistNetworks.Encoder(latentDim, (int)sampleShape[0]), FactorMnistNetworks.Decoder(latentDim, (int)sampleShape[0]));
            default:
                var hidden = mlpHiddenSizes ?? DefaultMlpHiddenSizes;
                long features = sampleShape.Aggregate(1L, (a, b) => checked(a * b));
                if (features > int.MaxValue) throw new ArgumentException($"Sample shape [{string.Join(", ", sampleShape)}] is too large for an MLP.", nameof(sampleShape));
                var encoder = new SplitGaussianEncoder(new Mlp((int)features, hidden, 2 * latentDim, mlpActivation), latentDim);
                nn.Module<Tensor, Tensor> decoder = new Mlp(latentDim, hidden.Reverse().ToArray(), (int)features, mlpActivation);
                // Children "0" (the MLP) and "1" (the reshape to [N, ..sampleShape], no weights).
                if (sampleShape.Count > 1) decoder = nn.Sequential(decoder, nn.Unflatten(1, sampleShape.ToArray()));
                return (encoder, decoder);
        }
    }

    private static void CheckShape(IReadOnlyList<long> sampleShape)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Count == 0 || sampleShape.Any(s => s <= 0))
            throw new ArgumentException($"Sample shape [{string.Join(", ", sampleShape)}] must be non-empty with positive sizes.", nameof(sampleShape));
    }
}
