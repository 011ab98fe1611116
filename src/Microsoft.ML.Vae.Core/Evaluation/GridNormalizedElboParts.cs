namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// The two sums the gnELBO is a ratio of, kept so that a change in gnELBO can be traced to the data (numerator)
/// or to the grid (denominator): gnELBO = <see cref="DataMean"/> / (<see cref="GridSum"/> + <see cref="DataMean"/> · <see cref="DataCount"/>).
/// </summary>
/// <param name="DataMean">Mean negative ELBO e(x) over the data points; lower means the data are explained better.</param>
/// <param name="GridSum">Σ e(x) over the evaluation grid; higher means the model puts less mass off the data.</param>
/// <param name="DataCount">Number of data points in the mean.</param>
public sealed record GridNormalizedElboParts(double DataMean, double GridSum, long DataCount)
{
    /// <summary>The grid-normalized negative ELBO these parts give.</summary>
    public double GnElbo => DataMean / (GridSum + DataMean * DataCount);

    /// <summary>Mean negative ELBO over the grid points (<see cref="GridSum"/> / points), comparable across grid sizes.</summary>
    public double GridMean(int gridPoints) => GridSum / ((double)gridPoints * gridPoints);
}
