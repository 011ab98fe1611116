using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// The dpVAE "factor_mnist" convolutional encoder and decoder for 28×28 images, used by FactorVAE
/// (algorithms spec §1.5). ReLU after every layer but the last; the decoder output is linear.
/// </summary>
public static class FactorMnistNetworks
{
    /// <summary>
    /// Encoder: Conv(C→32,k4,s2,p1) 14² → Conv(32→64,k3) 12² → Conv(64→64,k4,s2,p1) 6² →
    /// Conv(64→256,k3) 4² → Conv(256→256,k4) 1² → flatten 256 → FC 2d.
    /// </summary>
    public static SplitGaussianEncoder Encoder(int latentDim, int channels = 1)
    {
        BetaMnistNetworks.CheckArguments(latentDim, channels);
        var body = ModuleOwnership.Build(() => nn.Sequential(
            nn.Conv2d(channels, 32, 4, stride: 2, padding: 1), nn.ReLU(),
            nn.Conv2d(32, 64, 3), nn.ReLU(),
            nn.Conv2d(64, 64, 4, stride: 2, padding: 1), nn.ReLU(),
            nn.Conv2d(64, 256, 3), nn.ReLU(),
            nn.Conv2d(256, 256, 4), nn.ReLU(),
            nn.Flatten(1),
            nn.Linear(256, 2 * latentDim)));
        return new SplitGaussianEncoder(body, latentDim);
    }

    /// <summary>
    /// Decoder (mirror): FC d→256, reshape 256×1×1, ConvT(256→256,k4) 4², ConvT(256→64,k3) 6²,
    /// ConvT(64→64,k4,s2,p1) 12², ConvT(64→32,k3) 14², ConvT(32→C,k4,s2,p1) 28², linear output.
    /// </summary>
    public static Sequential Decoder(int latentDim, int channels = 1)
    {
        BetaMnistNetworks.CheckArguments(latentDim, channels);
        return ModuleOwnership.Build(() => nn.Sequential(
            nn.Linear(latentDim, 256), nn.ReLU(),
            nn.Unflatten(1, [256, 1, 1]),
            nn.ConvTranspose2d(256, 256, 4), nn.ReLU(),
            nn.ConvTranspose2d(256, 64, 3), nn.ReLU(),
            nn.ConvTranspose2d(64, 64, 4, stride: 2, padding: 1), nn.ReLU(),
            nn.ConvTranspose2d(64, 32, 3), nn.ReLU(),
            nn.ConvTranspose2d(32, channels, 4, stride: 2, padding: 1)));
    }
}
