using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// FactorVAE's total-correlation discriminator: Linear(d→H) + LeakyReLU(0.2), then
/// (layers − 1)× [Linear(H→H) + LeakyReLU(0.2)], then Linear(H→2). Defaults H = 1000 and
/// 5 hidden layers as in the reference FactorVAE code. Output: logits [N, 2]; class 0 = "joint"
/// samples q(z), class 1 = dimension-permuted samples ∏ q(z_j).
/// </summary>
public sealed class FactorDiscriminator : nn.Module<Tensor, Tensor>
{
    private readonly Mlp _net;

    /// <summary>Creates the discriminator for latents of dimension <paramref name="latentDim"/>.</summary>
    public FactorDiscriminator(int latentDim, int hiddenSize = 1000, int hiddenLayers = 5)
        : base(nameof(FactorDiscriminator))
    {
        if (latentDim <= 0) throw new ArgumentOutOfRangeException(nameof(latentDim), $"Latent dimension must be positive, got {latentDim}.");
        if (hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), $"Hidden size must be positive, got {hiddenSize}.");
        if (hiddenLayers <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenLayers), $"Hidden layer count must be positive, got {hiddenLayers}.");
        LatentDim = latentDim;
        _net = new Mlp(latentDim, Enumerable.Repeat(hiddenSize, hiddenLayers).ToArray(), 2, Activation.LeakyReLU02);
        register_module("net", _net);
    }

    /// <summary>Latent dimension d.</summary>
    public int LatentDim { get; }

    /// <summary>Logits [N, 2] for latents [N, d].</summary>
    public override Tensor forward(Tensor z) => _net.forward(z);

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }
}
