namespace Microsoft.ML.Vae.Core.Models;

/// <summary>The encoder/decoder architecture of a <see cref="SoftIntroVae"/>.</summary>
public enum SoftIntroNetwork
{
    /// <summary>By sample shape: <see cref="Mlp"/> for vectors [D], <see cref="ResNet"/> for images [C, H, W].</summary>
    Auto,

    /// <summary>Fully connected ReLU networks (the 2-D experiments: 2→256→256→256→256→2d and mirror).</summary>
    Mlp,

    /// <summary>The residual convolutional encoder/decoder of the S-IntroVAE image experiments (spec §2.6).</summary>
    ResNet,
}
