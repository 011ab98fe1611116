namespace Microsoft.ML.Vae;

/// <summary>Which metrics <see cref="VaeEvaluationCatalog.Evaluate(VaeCatalog, Core.Models.IVaeModel, IDataView, string, string?, VaeEvaluationOptions?)"/> computes.</summary>
[Flags]
public enum VaeMetricKinds
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary>Fréchet distance of prior samples to the data, in the features of <see cref="VaeEvaluationOptions.FidFeatures"/> (skipped when that is null).</summary>
    Fid = 1,

    /// <summary>Importance-sampled negative log-likelihood (IWAE bound).</summary>
    Nll = 2,

    /// <summary>Symmetric KL between the aggregate posterior and the prior (1-NN estimator).</summary>
    SymmetricKl = 4,

    /// <summary>The leakage curve.</summary>
    Leakage = 8,

    /// <summary>Mean squared reconstruction error per element.</summary>
    Reconstruction = 16,

    /// <summary>Linear-probe accuracy of the latent means (needs a label column).</summary>
    LinearProbe = 32,

    /// <summary>Flow-fit diagnostics: how well the prior covers the aggregate posterior (core <c>FlowFit</c>).</summary>
    FlowFit = 64,

    /// <summary>All of the above.</summary>
    All = Fid | Nll | SymmetricKl | Leakage | Reconstruction | LinearProbe | FlowFit,
}
