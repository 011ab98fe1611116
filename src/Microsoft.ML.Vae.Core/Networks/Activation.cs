using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>Hidden-layer nonlinearity of an <see cref="Mlp"/>.</summary>
public enum Activation
{
    /// <summary>max(0, x).</summary>
    ReLU,
    /// <summary>Leaky ReLU with slope 0.01 (PyTorch's default).</summary>
    LeakyReLU,
    /// <summary>Leaky ReLU with slope 0.2 (GAN discriminators).</summary>
    LeakyReLU02,
    /// <summary>Hyperbolic tangent.</summary>
    Tanh,
    /// <summary>Exponential linear unit (α = 1).</summary>
    ELU,
    /// <summary>Gaussian error linear unit.</summary>
    GELU,
    /// <summary>x·sigmoid(x).</summary>
    SiLU,
}

/// <summary>Creates TorchSharp activation layers from <see cref="Activation"/> values.</summary>
public static class Activations
{
    /// <summary>A new parameter-free TorchSharp layer computing <paramref name="activation"/>.</summary>
    public static nn.Module<Tensor, Tensor> Create(Activation activation) => activation switch
    {
        Activation.ReLU => nn.ReLU(),
        Activation.LeakyReLU => nn.LeakyReLU(0.01),
        Activation.LeakyReLU02 => nn.LeakyReLU(0.2),
        Activation.Tanh => nn.Tanh(),
        Activation.ELU => nn.ELU(),
        Activation.GELU => nn.GELU(),
        Activation.SiLU => nn.SiLU(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };
}
