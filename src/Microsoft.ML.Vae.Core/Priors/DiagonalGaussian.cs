using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Priors;

/// <summary>Element-wise math of diagonal Gaussians N(mean, diag exp(logVar)).</summary>
public static class DiagonalGaussian
{
    /// <summary>log(2π).</summary>
    public const double Log2Pi = 1.8378770664093453;

    /// <summary>Reparameterized sample mean + exp(logVar / 2) ⊙ ε with ε ~ N(0, I), differentiable in both inputs.</summary>
    public static Tensor Sample(Tensor mean, Tensor logVar)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(logVar);
        using var scope = torch.NewDisposeScope();
        var eps = torch.randn_like(mean);
        var std = (logVar * 0.5).exp();
        return (mean + std * eps).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Element-wise log N(x; mean, exp(logVar)) = −½(log 2π + logVar) − ½(x − mean)² e^{−logVar}
    /// (broadcasting like the arithmetic operators).
    /// </summary>
    public static Tensor LogDensity(Tensor x, Tensor mean, Tensor logVar)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(logVar);
        using var scope = torch.NewDisposeScope();
        var diff = x - mean;
        var inverseVar = logVar.neg().exp();
        var result = (logVar + Log2Pi) * -0.5 - diff.square() * inverseVar * 0.5;
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Element-wise log N(x; 0, 1) = −½(log 2π + x²).</summary>
    public static Tensor StandardLogDensity(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = torch.NewDisposeScope();
        return ((x.square() + Log2Pi) * -0.5).MoveToOuterDisposeScope();
    }
}
