namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>Which encoder/decoder pair a model builds.</summary>
public enum NetworkKind
{
    /// <summary>By sample shape: [C, 28, 28] → <see cref="DpConv"/>, [D] → <see cref="Mlp"/>.</summary>
    Auto,
    /// <summary>Fully connected networks (any sample shape; images are flattened).</summary>
    Mlp,
    /// <summary>The dpVAE "beta_mnist" convolutional pair (28×28 images).</summary>
    DpConv,
    /// <summary>The dpVAE "factor_mnist" convolutional pair used by FactorVAE (28×28 images).</summary>
    FactorConv,
}
