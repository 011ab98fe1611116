using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// The squared Fréchet (2-Wasserstein) distance between two Gaussians, the quantity FID reports:
/// <c>d² = ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½)</c>.
/// </summary>
/// <remarks>
/// Everything runs in float64 on the CPU. Σ₁^½ comes from a symmetric eigendecomposition
/// (<see cref="torch.linalg.eigh"/>) and the trace of (Σ₁^½ Σ₂ Σ₁^½)^½ is the sum of the square roots of
/// that symmetric matrix's eigenvalues; this equals Tr((Σ₁Σ₂)^½) used by pytorch-fid (Σ₁Σ₂ and
/// Σ₁^½Σ₂Σ₁^½ share their eigenvalues) without a non-symmetric matrix square root.
/// Covariances estimated from fewer samples than dimensions are singular, and rounding then
/// gives eigenvalues that are zero in exact arithmetic a tiny negative value. Such eigenvalues are
/// clamped to zero when they are no more negative than <see cref="NegativeEigenvalueTolerance"/>
/// times the largest eigenvalue; anything more negative means the input is not a covariance
/// (not positive semi-definite) and is rejected. Inputs are symmetrized ((Σ + Σᵀ)/2) first, and the
/// result, non-negative in exact arithmetic, is clamped at zero.
/// </remarks>
public static class FrechetDistance
{
    /// <summary>Relative size of a negative eigenvalue still treated as rounding noise (1e-6).</summary>
    public const double NegativeEigenvalueTolerance = 1e-6;

    /// <summary>d² between N(μ₁, Σ₁) and N(μ₂, Σ₂) given as managed arrays.</summary>
    /// <exception cref="ArgumentException">Sizes disagree, values are not finite, or a matrix is not positive semi-definite.</exception>
    public static double Compute(double[] mu1, double[,] sigma1, double[] mu2, double[,] sigma2)
    {
        ArgumentNullException.ThrowIfNull(mu1);
        ArgumentNullException.ThrowIfNull(sigma1);
        ArgumentNullException.ThrowIfNull(mu2);
        ArgumentNullException.ThrowIfNull(sigma2);
        using var scope = torch.NewDisposeScope();
        return Compute(torch.tensor(mu1), ToTensor(sigma1, nameof(sigma1)), torch.tensor(mu2), ToTensor(sigma2, nameof(sigma2)));
    }

    /// <summary>d² between N(μ₁, Σ₁) and N(μ₂, Σ₂): means [k], covariances [k, k], any float dtype and device.</summary>
    /// <exception cref="ArgumentException">Sizes disagree, values are not finite, or a matrix is not positive semi-definite.</exception>
    public static double Compute(Tensor mu1, Tensor sigma1, Tensor mu2, Tensor sigma2)
    {
        ValidateGaussian(mu1, sigma1, nameof(mu1));
        ValidateGaussian(mu2, sigma2, nameof(mu2));
        if (mu1.size(0) != mu2.size(0))
            throw new ArgumentException($"The Gaussians have different dimensions: {mu1.size(0)} and {mu2.size(0)}.", nameof(mu2));

        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var m1 = mu1.to(ScalarType.Float64, torch.CPU);
        var m2 = mu2.to(ScalarType.Float64, torch.CPU);
        var s1 = Symmetrized(sigma1);
        var s2 = Symmetrized(sigma2);

        double meanTerm = (m1 - m2).square().sum().ToDouble();
        var root1 = SymmetricSquareRoot(s1, nameof(sigma1));
        _ = ClampedEigenvalues(s2, nameof(sigma2)); // checks that Σ₂ is positive semi-definite, as Σ₁ above
        var product = Symmetrized(torch.mm(torch.mm(root1, s2), root1));
        double traceOfRoot = ClampedEigenvalues(product, "Σ₁^½ Σ₂ Σ₁^½").sqrt().sum().ToDouble();
        double d2 = meanTerm + Trace(s1) + Trace(s2) - 2 * traceOfRoot;
        return Math.Max(0, d2);
    }

    /// <summary>d² between two fitted Gaussians.</summary>
    public static double Compute(FrechetStatistics a, FrechetStatistics b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return Compute(a.Mean, a.Covariance, b.Mean, b.Covariance);
    }

    /// <summary>
    /// d² between the Gaussians fitted to the rows of <paramref name="a"/> [n, k] and
    /// <paramref name="b"/> [m, k] (means and unbiased covariances in float64; n, m ≥ 2).
    /// </summary>
    /// <exception cref="ArgumentException">The feature matrices are not 2-D with equal widths and at least two rows each.</exception>
    public static double FromFeatures(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.dim() != 2 || b.dim() != 2)
            throw new ArgumentException($"Feature matrices must be 2-D [n, k], got {EvaluationData.Describe(a)} and {EvaluationData.Describe(b)}.");
        if (a.size(1) != b.size(1))
            throw new ArgumentException($"Feature widths differ: {a.size(1)} and {b.size(1)}.", nameof(b));
        if (a.size(0) < 2 || b.size(0) < 2)
            throw new ArgumentException($"Each feature set needs at least 2 rows for a covariance, got {a.size(0)} and {b.size(0)}.");
        using var sa = FrechetStatistics.FromFeatures(a);
        using var sb = FrechetStatistics.FromFeatures(b);
        return Compute(sa, sb);
    }

    /// <summary>Checks that mean is [k], covariance [k, k] and both finite.</summary>
    internal static void ValidateGaussian(Tensor mean, Tensor covariance, string paramName)
    {
        ArgumentNullException.ThrowIfNull(mean, paramName);
        ArgumentNullException.ThrowIfNull(covariance, paramName);
        if (mean.dim() != 1 || mean.size(0) == 0)
            throw new ArgumentException($"A mean must be a non-empty vector [k], not {EvaluationData.Describe(mean)}.", paramName);
        long k = mean.size(0);
        if (covariance.dim() != 2 || covariance.size(0) != k || covariance.size(1) != k)
            throw new ArgumentException($"The covariance must be [{k}, {k}] to match the mean, not [{string.Join(", ", covariance.shape)}].", paramName);
        if (!torch.is_floating_point(mean) || !torch.is_floating_point(covariance))
            throw new ArgumentException("Means and covariances must be floating-point tensors.", paramName);
        if (!mean.AllFinite() || !covariance.AllFinite())
            throw new ArgumentException("The mean or covariance holds NaN or infinity.", paramName);
    }

    private static Tensor ToTensor(double[,] m, string paramName)
    {
        int rows = m.GetLength(0), cols = m.GetLength(1);
        if (rows != cols) throw new ArgumentException($"A covariance must be square, not {rows}×{cols}.", paramName);
        var flat = new double[rows * cols];
        Buffer.BlockCopy(m, 0, flat, 0, flat.Length * sizeof(double));
        return torch.tensor(flat, new long[] { rows, cols });
    }

    private static Tensor Symmetrized(Tensor m)
    {
        var d = m.to(ScalarType.Float64, torch.CPU);
        return (d + d.T) * 0.5;
    }

    private static double Trace(Tensor m)
    {
        using var diagonal = m.diagonal();
        using var sum = diagonal.sum();
        return sum.ToDouble();
    }

    /// <summary>V·diag(√λ)·Vᵀ of a symmetric positive semi-definite matrix.</summary>
    private static Tensor SymmetricSquareRoot(Tensor symmetric, string name)
    {
        var (values, vectors) = torch.linalg.eigh(symmetric);
        var roots = ClampChecked(values, name).sqrt();
        return torch.mm(vectors * roots.unsqueeze(0), vectors.T);
    }

    private static Tensor ClampedEigenvalues(Tensor symmetric, string name)
    {
        var (values, _) = torch.linalg.eigh(symmetric);
        return ClampChecked(values, name);
    }

    private static Tensor ClampChecked(Tensor eigenvalues, string name)
    {
        double min = eigenvalues.min().ToDouble();
        double scale = Math.Max(eigenvalues.abs().max().ToDouble(), double.Epsilon);
        if (min < -NegativeEigenvalueTolerance * scale)
            throw new ArgumentException(
                $"{name} is not positive semi-definite: it has the eigenvalue {min:G6} (largest magnitude {scale:G6}).");
        return eigenvalues.clamp_min(0);
    }
}
