using Microsoft.ML.Vae.Core.Evaluation;

namespace Microsoft.ML.Vae;

/// <summary>
/// Metrics of one VAE on one data set, as computed by the core library; a metric that was not asked for
/// (or could not be, e.g. FID without a feature extractor) is null.
/// </summary>
/// <param name="Name">What was evaluated: the output column of a featurizer, or the model kind.</param>
/// <param name="Kind">The model kind, e.g. "dp-beta-tc".</param>
/// <param name="Rows">Data rows read.</param>
/// <param name="Fid">Fréchet distance of prior samples, with the name of the features it was measured in.</param>
/// <param name="Nll">Importance-sampled NLL (nats), bits per dimension and ELBO.</param>
/// <param name="SymmetricKl">Symmetric KL between aggregate posterior and prior.</param>
/// <param name="Leakage">The leakage curve.</param>
/// <param name="ReconstructionMse">Mean squared reconstruction error per element, in the model's data range.</param>
/// <param name="LinearProbeAccuracy">Held-out accuracy of a linear probe on the latent means.</param>
/// <param name="FlowFit">Flow-fit diagnostics: moments of the flow-mapped aggregate posterior against N(0, I) and the share of prior draws far from every encoding.</param>
public sealed record VaeMetrics(
    string Name,
    string Kind,
    long Rows,
    FidResult? Fid,
    ImportanceSampledNllResult? Nll,
    SymmetricKlResult? SymmetricKl,
    LeakageResult? Leakage,
    double? ReconstructionMse,
    double? LinearProbeAccuracy,
    FlowFitResult? FlowFit = null)
{
    /// <summary>The FID value, or null.</summary>
    public double? FidValue => Fid?.Fid;

    /// <summary>Name of the features FID was measured in (never "Inception" unless an Inception network was supplied), or null.</summary>
    public string? FidFeatures => Fid?.Features;
}
