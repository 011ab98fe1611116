using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// Adaptive variance clipping of a learned mixture prior (algorithms spec §3.4): a smooth clamp of
/// every component's log-variance into per-dimension bounds [l_j, u_j] frozen from the prior at the
/// end of the warm-up:
/// lv' = lv − softplus_β(lv − u) + softplus_β(l − lv), β_j = 10 / (|u_j − l_j| + 1e-8), and lv' = u where u = l.
/// </summary>
public static class VarianceClipping
{
    /// <summary>Numerator of the adaptive sharpness β = 10 / (|u − l| + 1e-8).</summary>
    public const double Sharpness = 10.0;

    /// <summary>Guard added to the bound range before dividing.</summary>
    public const double RangeEpsilon = 1e-8;

    /// <summary>Above β·t = 20 softplus returns t itself, like PyTorch's softplus threshold.</summary>
    public const double Threshold = 20.0;

    /// <summary>The clamped log-variances, same shape as <paramref name="logVars"/> [K, d]; bounds are [d].</summary>
    public static Tensor SmoothClamp(Tensor logVars, Tensor lower, Tensor upper)
    {
        ArgumentNullException.ThrowIfNull(logVars);
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        if (lower.dim() != 1 || !lower.shape.SequenceEqual(upper.shape) || logVars.dim() < 1 || logVars.size(-1) != lower.size(0))
            throw new ArgumentException(
                $"Bounds must be two [d] vectors matching the last dimension of the log-variances [.., d]; got {lower.ShapeString()}, " +
                $"{upper.ShapeString()} and {logVars.ShapeString()}.");
        using var scope = torch.NewDisposeScope();
        var beta = Sharpness / ((upper - lower).abs() + RangeEpsilon);
        var clamped = logVars - Softplus(logVars - upper, beta) + Softplus(lower - logVars, beta);
        var equal = upper.eq(lower).expand(logVars.shape);
        var result = torch.where(equal, upper.expand(logVars.shape), clamped);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// softplus_β(t) = (1/β)·log(1 + e^{βt}) with a per-element β, returning t itself where βt &gt; 20.
    /// The curved branch is libtorch's softplus of βt (which never overflows, so the branch not taken
    /// cannot inject NaN gradients) divided by β; its derivative is the logistic σ(βt) everywhere,
    /// including βt = 0, where components sitting exactly on a bound are.
    /// </summary>
    public static Tensor Softplus(Tensor t, Tensor beta)
    {
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(beta);
        using var scope = torch.NewDisposeScope();
        var x = t * beta;
        var curved = F.softplus(x, 1.0, Threshold) / beta;
        return torch.where(x.gt(Threshold), t, curved).MoveToOuterDisposeScope();
    }
}
