namespace Microsoft.ML.Vae.Core.Networks;

using Microsoft.ML.Vae.Torch.NN;

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

/// <summary>Creates activation layers from <see cref="Activation"/> values.</summary>
public static class Activations
{
    /// <summary>A new parameter-free layer computing <paramref name="activation"/>.</summary>
    public static Layer Create(Activation activation) => activation switch
    {
        Activation.ReLU => new ReLU(),
        Activation.LeakyReLU => new LeakyReLU(0.01),
        Activation.LeakyReLU02 => new LeakyReLU(0.2),
        Activation.Tanh => new Tanh(),
        Activation.ELU => new ELU(),
        Activation.GELU => new GELU(),
        Activation.SiLU => new SiLU(),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };
}
