using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

/// <summary>
/// One forward pass of a <see cref="GamixVae"/>, on the model's internal [−1, 1] image scale. The
/// tensors belong to the caller's dispose scope.
/// </summary>
/// <param name="Mean">Posterior means [N, d].</param>
/// <param name="LogVar">Posterior log-variances [N, d].</param>
/// <param name="Z">z = mean + exp(logVar/2)·ε, [N, d].</param>
/// <param name="Target">The input images mapped to [−1, 1]: 2x − 1, [N, C, H, W].</param>
/// <param name="Reconstruction">The decoder's linear output for z on the [−1, 1] scale, [N, C, H, W].</param>
public sealed record GamixOutput(Tensor Mean, Tensor LogVar, Tensor Z, Tensor Target, Tensor Reconstruction);
