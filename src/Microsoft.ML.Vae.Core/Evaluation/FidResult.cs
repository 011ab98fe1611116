namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>One FID measurement.</summary>
/// <param name="Fid">The squared Fréchet distance between the two feature Gaussians (the usual "FID" number).</param>
/// <param name="Features">Name of the feature extractor (report it as <c>fidFeatures</c>; values with other features are not comparable).</param>
/// <param name="RealCount">Number of real images.</param>
/// <param name="GeneratedCount">Number of generated (or reconstructed) images.</param>
public sealed record FidResult(double Fid, string Features, long RealCount, long GeneratedCount);
