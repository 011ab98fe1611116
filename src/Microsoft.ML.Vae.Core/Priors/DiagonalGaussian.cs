namespace Microsoft.ML.Vae.Core.Priors;

using Microsoft.ML.Vae.Torch;

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
        using var scope = Torch.NewDisposeScope();
        var eps = Torch.RandnLike(mean);
        var std = (logVar * 0.5).Exp();
        return (mean + std * eps).MoveToOuterScope();
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
        using var scope = Torch.NewDisposeScope();
        var diff = x - mean;
        var inverseVar = logVar.Neg().Exp();
        var result = (logVar + Log2Pi) * -0.5 - diff.Square() * inverseVar * 0.5;
        return result.MoveToOuterScope();
    }

    /// <summary>Element-wise log N(x; 0, 1) = −½(log 2π + x²).</summary>
    public static Tensor StandardLogDensity(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        using var scope = Torch.NewDisposeScope();
        return ((x.Square() + Log2Pi) * -0.5).MoveToOuterScope();
    }
}
