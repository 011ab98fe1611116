using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// The dpVAE "beta_mnist" convolutional encoder and decoder for 28×28 images, used by the
/// VAE, β-VAE-H, β-VAE-B, β-TCVAE and InfoVAE models (algorithms spec §1.5).
/// ReLU after every layer but the last; the decoder output is linear (raw).
/// </summary>
public static class BetaMnistNetworks
{
    /// <summary>Image side the networks are built for.</summary>
    public const int ImageSize = 28;

    /// <summary>
    /// Encoder: Conv(C→32,k4,s2,p1) 14² → Conv(32→32,k3) 12² → Conv(32→32,k4,s2,p1) 6² →
    /// Conv(32→32,k3) 4² → flatten 512 → FC 256 → FC 256 → FC 2d, split into mean and log-variance.
    /// </summary>
    public static SplitGaussianEncoder Encoder(int latentDim, int channels = 1)
    {
        CheckArguments(latentDim, channels);
        var body = ModuleOwnership.Build(() => nn.Sequential(
            nn.Conv2d(channels, 32, 4, stride: 2, padding: 1), nn.ReLU(),
            nn.Conv2d(32, 32, 3), nn.ReLU(),
            nn.Conv2d(32, 32, 4, stride: 2, padding: 1), nn.ReLU(),
            nn.Conv2d(32, 32, 3), nn.ReLU(),
            nn.Flatten(1),
            nn.Linear(32 * 4 * 4, 256), nn.ReLU(),
            nn.Linear(256, 256), nn.ReLU(),
            nn.Linear(256, 2 * latentDim)));
        return new SplitGaussianEncoder(body, latentDim);
    }

    /// <summary>
    /// Decoder (mirror): FC d→256→256→512, reshape 32×4×4, ConvT(k3) 6², ConvT(k4,s2,p1) 12²,
    /// ConvT(k3) 14², ConvT(32→C,k4,s2,p1) 28², linear output [N, C, 28, 28].
    /// </summary>
    public static Sequential Decoder(int latentDim, int channels = 1)
    {
        CheckArguments(latentDim, channels);
        return ModuleOwnership.Build(() => nn.Sequential(
            nn.Linear(latentDim, 256), nn.ReLU(),
            nn.Linear(256, 256), nn.ReLU(),
            nn.Linear(256, 32 * 4 * 4), nn.ReLU(),
            nn.Unflatten(1, [32, 4, 4]),
            nn.ConvTranspose2d(32, 32, 3), nn.ReLU(),
            nn.ConvTranspose2d(32, 32, 4, stride: 2, padding: 1), nn.ReLU(),
            nn.ConvTranspose2d(32, 32, 3), nn.ReLU(),
            nn.ConvTranspose2d(32, channels, 4, stride: 2, padding: 1)));
    }

    internal static void CheckArguments(int latentDim, int channels)
    {
        if (latentDim <= 0) throw new ArgumentOutOfRangeException(nameof(latentDim), $"Latent dimension must be positive, got {latentDim}.");
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels), $"Channel count must be positive, got {channels}.");
    }
}
