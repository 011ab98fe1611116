using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Bench;

/// <summary>
/// The two networks timed by the benchmark, built from TorchSharp's nn layers in the same order
/// as the PyTorch counterpart builds its torch.nn modules, so a shared seed gives shared weights.
/// </summary>
public static class VaeArchitectures
{
    /// <summary>Width of every hidden layer of the 2-D MLP VAE.</summary>
    public const int MlpWidth = 256;

    /// <summary>2 → 256 → 256 → 256 → 256 → 2·latent, ReLU between: outputs mean and log-variance.</summary>
    public static Sequential MlpEncoder(int dataDim = 2, int latentDim = 2) => MlpStack(dataDim, 2 * latentDim);

    /// <summary>latent → 256 → 256 → 256 → 256 → 2, ReLU between, linear output.</summary>
    public static Sequential MlpDecoder(int dataDim = 2, int latentDim = 2) => MlpStack(latentDim, dataDim);

    private static Sequential MlpStack(int inputs, int outputs)
    {
        return nn.Sequential(
            nn.Linear(inputs, MlpWidth), nn.ReLU(),
            nn.Linear(MlpWidth, MlpWidth), nn.ReLU(),
            nn.Linear(MlpWidth, MlpWidth), nn.ReLU(),
            nn.Linear(MlpWidth, MlpWidth), nn.ReLU(),
            nn.Linear(MlpWidth, outputs));
    }

    /// <summary>dpVAE <c>beta_mnist</c> encoder: four convs to 32×4×4, then FC 512 → 256 → 256 → 2·latent.</summary>
    public static Sequential BetaMnistEncoder(int latentDim = 2)
    {
        return nn.Sequential(
            nn.Conv2d(1, 32, 4, stride: 2, padding: 1), nn.ReLU(),   // 14×14
            nn.Conv2d(32, 32, 3), nn.ReLU(),                         // 12×12
            nn.Conv2d(32, 32, 4, stride: 2, padding: 1), nn.ReLU(),  // 6×6
            nn.Conv2d(32, 32, 3), nn.ReLU(),                         // 4×4
            nn.Flatten(1),
            nn.Linear(512, 256), nn.ReLU(),
            nn.Linear(256, 256), nn.ReLU(),
            nn.Linear(256, 2 * latentDim));
    }

    /// <summary>dpVAE <c>beta_mnist</c> decoder: FC latent → 256 → 256 → 512, four transposed convs to 1×28×28, linear output.</summary>
    public static Sequential BetaMnistDecoder(int latentDim = 2)
    {
        return nn.Sequential(
            nn.Linear(latentDim, 256), nn.ReLU(),
            nn.Linear(256, 256), nn.ReLU(),
            nn.Linear(256, 512), nn.ReLU(),
            nn.Unflatten(1, [32, 4, 4]),
            nn.ConvTranspose2d(32, 32, 3), nn.ReLU(),                          // 6×6
            nn.ConvTranspose2d(32, 32, 4, stride: 2, padding: 1), nn.ReLU(),   // 12×12
            nn.ConvTranspose2d(32, 32, 3), nn.ReLU(),                          // 14×14
            nn.ConvTranspose2d(32, 1, 4, stride: 2, padding: 1));              // 28×28
    }
}
