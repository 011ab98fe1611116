namespace Microsoft.ML.Vae;

/// <summary>Where generated samples come from.</summary>
public enum VaeGenerationMode
{
    /// <summary>z ~ p(z), the model's prior, decoded ("normal" samples).</summary>
    Prior,

    /// <summary>Low-posterior samples: prior samples in holes of the aggregate posterior of the data (core <c>LowPosteriorSampler</c>).</summary>
    LowPosterior,

    /// <summary>High-posterior samples: aggregate-posterior samples the prior under-covers (core <c>HighPosteriorSampler</c>).</summary>
    HighPosterior,
}
