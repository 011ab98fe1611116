namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>The importance-sampled negative log-likelihood of a data set, with the ELBO for reference.</summary>
/// <param name="Nll">Mean −log p(x) per sample in nats (IWAE estimate; an upper bound in expectation).</param>
/// <param name="NllStandardError">Standard error of <see cref="Nll"/> across samples (0 for one sample).</param>
/// <param name="BitsPerDim">Nll / (D · ln 2), D = elements per sample.</param>
/// <param name="Elbo">
/// Mean single-sample ELBO estimate log p(x|z) + log p(z) − log q(z|x) in nats, averaged over the
/// same importance samples (so, by Jensen's inequality, Elbo ≤ −Nll always).
/// </param>
/// <param name="ImportanceSamples">Importance samples S per data sample.</param>
/// <param name="Count">Data samples evaluated.</param>
public sealed record ImportanceSampledNllResult(double Nll, double NllStandardError, double BitsPerDim, double Elbo, int ImportanceSamples, long Count);
