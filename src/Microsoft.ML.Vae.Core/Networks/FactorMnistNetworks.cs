namespace Microsoft.ML.Vae.Core.Networks;

using Microsoft.ML.Vae.Torch.NN;

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
        var body = new Sequential(
            new Conv2d(channels, 32, 4, stride: 2, padding: 1), new ReLU(),
            new Conv2d(32, 64, 3), new ReLU(),
            new Conv2d(64, 64, 4, stride: 2, padding: 1), new ReLU(),
            new Conv2d(64, 256, 3), new ReLU(),
            new Conv2d(256, 256, 4), new ReLU(),
            new Flatten(1),
            new Linear(256, 2 * latentDim));
        return new SplitGaussianEncoder(body, latentDim);
    }

    /// <summary>
    /// Decoder (mirror): FC d→256, reshape 256×1×1, ConvT(256→256,k4) 4², ConvT(256→64,k3) 6²,
    /// ConvT(64→64,k4,s2,p1) 12², ConvT(64→32,k3) 14², ConvT(32→C,k4,s2,p1) 28², linear output.
    /// </summary>
    public static Sequential Decoder(int latentDim, int channels = 1)
    {
        BetaMnistNetworks.CheckArguments(latentDim, channels);
        return new Sequential(
            new Linear(latentDim, 256), new ReLU(),
            new Unflatten(256, 1, 1),
            new ConvTranspose2d(256, 256, 4), new ReLU(),
            new ConvTranspose2d(256, 64, 3), new ReLU(),
            new ConvTranspose2d(64, 64, 4, stride: 2, padding: 1), new ReLU(),
            new ConvTranspose2d(64, 32, 3), new ReLU(),
            new ConvTranspose2d(32, channels, 4, stride: 2, padding: 1));
    }
}
