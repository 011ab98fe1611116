using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Kernels;

/// <summary>
/// The generic tensor formulation of the fused mixture ops: differentiable to any order, any dtype and
/// device. The fused functions use it for higher-order gradients (a backward pass that runs with
/// create_graph), where their hand-written gradients would be constants.
/// </summary>
internal static class GenericMixture
{
    /// <summary>
    /// log w_k − ½ Σ_j [lv_kj + (z_nj − μ_kj)² e^{−lv_kj}], [N, K], in z's dtype. The quadratic form is
    /// expanded into one matrix product of [z², z] with [−½e^{−lv}, μe^{−lv}], evaluated in float64 (the
    /// expansion subtracts large terms when variances are small), so no [N, K, d] tensor is formed.
    /// </summary>
    public static Tensor Joint(Tensor z, Tensor means, Tensor logVars, Tensor logWeights)
    {
        using var scope = torch.NewDisposeScope();
        var z64 = z.to_type(ScalarType.Float64);
        var mu = means.to_type(ScalarType.Float64);
        var lv = logVars.to_type(ScalarType.Float64);
        var inverseVar = lv.neg().exp();                                                      // [K, d]
        var bias = logWeights.to_type(ScalarType.Float64) - ((mu.square() * inverseVar).sum(1) + lv.sum(1)) * 0.5;
        var features = torch.cat(new[] { z64.square(), z64 }, 1);                            // [N, 2d]
        var coefficients = torch.cat(new[] { inverseVar * -0.5, mu * inverseVar }, 1);       // [K, 2d]
        var joint = torch.mm(features, coefficients.t()) + bias;                              // [N, K]
        return joint.to_type(z.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>The reparameterized samples μ_b + e^{lv_b/2} ⊙ ε_mb as rows [M·B, d] (noise [M, B, d] or [M, 1, d]).</summary>
    public static Tensor MonteCarloSamples(Tensor postMean, Tensor postLogVar, Tensor noise)
    {
        using var scope = torch.NewDisposeScope();
        long m = noise.size(0), b = postMean.size(0), d = postMean.size(1);
        var z = postMean.unsqueeze(0) + (postLogVar * 0.5).exp().unsqueeze(0) * noise.expand(new[] { m, b, d });
        return z.reshape(new[] { m * b, d }).MoveToOuterDisposeScope();
    }
}
