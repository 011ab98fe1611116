using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

/// <summary>
/// One forward pass of a <see cref="DpVae"/>: posterior parameters, a reparameterized sample z in
/// representation space and its decoding. The tensors belong to the caller's dispose scope.
/// </summary>
/// <param name="Mean">Posterior means [N, d].</param>
/// <param name="LogVar">Posterior log-variances [N, d].</param>
/// <param name="Z">z = mean + exp(logVar/2)·ε, [N, d].</param>
/// <param name="Reconstruction">Raw decoder output for z, [N, ..sampleShape].</param>
public sealed record DpVaeOutput(Tensor Mean, Tensor LogVar, Tensor Z, Tensor Reconstruction);
