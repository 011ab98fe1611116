namespace Microsoft.ML.Vae.Core.Models;

/// <summary>How a learned prior is initialized (algorithms spec §3.1).</summary>
public enum SoftIntroPriorInit
{
    /// <summary>
    /// From data: mixture components = encoder outputs on K training samples; VampPrior pseudo-inputs
    /// = K training samples. Requires <see cref="SoftIntroVae.InitializePrior"/> before training.
    /// </summary>
    Data,

    /// <summary>Random: μ ~ N(0, I)/√(K·d), lv ~ N(0, I); pseudo-inputs = data mean + data std · N(0, I).</summary>
    Random,
}
