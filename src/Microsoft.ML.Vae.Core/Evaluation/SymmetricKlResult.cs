namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>The symmetric KL between a model's prior and its aggregate posterior, with both directions.</summary>
/// <param name="Value">D̂(p‖q) + D̂(q‖p) in nats.</param>
/// <param name="PriorToPosterior">D̂(p‖q): prior samples as P, aggregate-posterior samples as Q.</param>
/// <param name="PosteriorToPrior">D̂(q‖p): aggregate-posterior samples as P, prior samples as Q.</param>
/// <param name="Samples">Samples drawn from each distribution.</param>
/// <param name="InGenerationSpace">
/// True when the comparison was made in the prior's generation space (z0 = g(z) against N(0, I)),
/// false when it was made in the latent space against samples of the prior itself.
/// </param>
public sealed record SymmetricKlResult(double Value, double PriorToPosterior, double PosteriorToPrior, int Samples, bool InGenerationSpace);
