using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// The Gaussian fitted to a set of feature vectors: mean [k] and unbiased covariance [k, k]
/// (divided by n − 1, as numpy's <c>np.cov</c>), both float64 on the CPU. Computing the real
/// set's statistics once and reusing them is how periodic FID evaluation stays cheap.
/// The instance owns its tensors.
/// </summary>
public sealed class FrechetStatistics : IDisposable
{
    /// <summary>Takes ownership of <paramref name="mean"/> and <paramref name="covariance"/> (converted to float64 CPU copies).</summary>
    /// <param name="mean">Mean vector [k].</param>
    /// <param name="covariance">Covariance matrix [k, k].</param>
    /// <param name="count">Number of feature vectors the statistics summarize (at least 2).</param>
    /// <exception cref="ArgumentException">Shapes disagree, values are not finite or the count is below 2.</exception>
    public FrechetStatistics(Tensor mean, Tensor covariance, long count)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        if (count < 2)
            throw new ArgumentOutOfRangeException(nameof(count), $"A covariance needs at least 2 samples, got {count}.");
        FrechetDistance.ValidateGaussian(mean, covariance, nameof(mean));
        using var scope = torch.NewDisposeScope();
        // A copy even when the input is already float64 on the CPU: the instance owns its tensors.
        Mean = mean.detach().to(ScalarType.Float64, torch.CPU, copy: true).DetachFromDisposeScope();
        Covariance = covariance.detach().to(ScalarType.Float64, torch.CPU, copy: true).DetachFromDisposeScope();
        Count = count;
    }

    /// <summary>Mean vector [k], float64, CPU. Owned by this instance.</summary>
    public Tensor Mean { get; }

    /// <summary>Covariance matrix [k, k], float64, CPU. Owned by this instance.</summary>
    public Tensor Covariance { get; }

    /// <summary>Number of feature vectors summarized.</summary>
    public long Count { get; }

    /// <summary>Feature dimension k.</summary>
    public int Dimension => (int)Mean.size(0);

    /// <summary>
    /// Shape of one image [C, H, W] the features were extracted from, when known (set by
    /// <see cref="FidCalculator.ComputeStatistics"/>), so later comparisons can reject other image sizes.
    /// </summary>
    public long[]? ImageShape { get; internal set; }

    /// <summary>Mean and covariance of the rows of <paramref name="features"/> [n, k] (n ≥ 2), accumulated in float64.</summary>
    /// <exception cref="ArgumentException">The features are not a finite 2-D tensor with at least two rows.</exception>
    public static FrechetStatistics FromFeatures(Tensor features)
    {
        using var accumulator = new FrechetStatisticsAccumulator();
        accumulator.Add(features);
        return accumulator.ToStatistics();
    }

    /// <summary>Releases the tensors.</summary>
    public void Dispose()
    {
        Mean.Dispose();
        Covariance.Dispose();
    }
}
