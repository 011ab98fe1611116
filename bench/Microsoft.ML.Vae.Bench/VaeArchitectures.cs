using Microsoft.ML.Vae.Torch.NN;

namespace Microsoft.ML.Vae.Bench;

/// <summary>
/// The two networks timed by the benchmark, built from the binding's nn layers in the same order
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
        return new Sequential(
            new Linear(inputs, MlpWidth), new ReLU(),
            new Linear(MlpWidth, MlpWidth), new ReLU(),
            new Linear(MlpWidth, MlpWidth), new ReLU(),
            new Linear(MlpWidth, MlpWidth), new ReLU(),
            new Linear(MlpWidth, outputs));
    }

    /// <summary>dpVAE <c>beta_mnist</c> encoder: four convs to 32×4×4, then FC 512 → 256 → 256 → 2·latent.</summary>
    public static Sequential BetaMnistEncoder(int latentDim = 2)
    {
        return new Sequential(
            new Conv2d(1, 32, 4, stride: 2, padding: 1), new ReLU(),   // 14×14
            new Conv2d(32, 32, 3), new ReLU(),                         // 12×12
            new Conv2d(32, 32, 4, stride: 2, padding: 1), new ReLU(),  // 6×6
            new Conv2d(32, 32, 3), new ReLU(),                         // 4×4
            new Flatten(1),
            new Linear(512, 256), new ReLU(),
            new Linear(256, 256), new ReLU(),
            new Linear(256, 2 * latentDim));
    }

    /// <summary>dpVAE <c>beta_mnist</c> decoder: FC latent → 256 → 256 → 512, four transposed convs to 1×28×28, linear output.</summary>
    public static Sequential BetaMnistDecoder(int latentDim = 2)
    {
        return new Sequential(
            new Linear(latentDim, 256), new ReLU(),
            new Linear(256, 256), new ReLU(),
            new Linear(256, 512), new ReLU(),
            new Unflatten(32, 4, 4),
            new ConvTranspose2d(32, 32, 3), new ReLU(),                          // 6×6
            new ConvTranspose2d(32, 32, 4, stride: 2, padding: 1), new ReLU(),   // 12×12
            new ConvTranspose2d(32, 32, 3), new ReLU(),                          // 14×14
            new ConvTranspose2d(32, 1, 4, stride: 2, padding: 1));               // 28×28
    }
}
