namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// The two sums the gnELBO is a ratio of, kept so that a change in gnELBO can be traced to the data (numerator)
/// or to the grid (denominator): gnELBO = (<see cref="DataSum"/> / <see cref="DataCount"/>) / (<see cref="GridSum"/> + <see cref="DataSum"/>).
/// </summary>
/// <param name="DataSum">Σ e(x) over the data points (float64).</param>
/// <param name="GridSum">Σ e(x) over the evaluation grid (float64); higher means the model's ELBO is lower off the data.</param>
/// <param name="DataCount">Number of data points.</param>
public sealed record GridNormalizedElboParts(double DataSum, double GridSum, long DataCount)
{
    /// <summary>Mean negative ELBO over the data points; lower means the data are explained better.</summary>
    public double DataMean => DataSum / DataCount;

    /// <summary>The grid-normalized negative ELBO, in the reference's order of operations.</summary>
    public double GnElbo => DataSum / DataCount / (GridSum + DataSum);

    /// <summary>Mean negative ELBO over the grid points (<see cref="GridSum"/> / points), comparable across grid sizes.</summary>
    public double GridMean(int gridPoints) => GridSum / ((double)gridPoints * gridPoints);
}
