using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Data;

/// <summary>
/// An infinite data source that draws fresh samples on demand (the 2-D toy distributions).
/// Samples come from libtorch's default generator, so <c>torch.manual_seed</c> makes
/// them reproducible.
/// </summary>
public interface IDataSampler
{
    /// <summary>The data set's name, as accepted by <see cref="ToyDatasets.Create"/>.</summary>
    string Name { get; }

    /// <summary>
    /// Half-width R of the square [−R, R]² used for plots, histograms and evaluation grids
    /// (2 for 8gaussians, 4 for the others, as in the S-IntroVAE 2-D code).
    /// </summary>
    double PlotRange { get; }

    /// <summary>Draws <paramref name="n"/> points: float32 [n, 2] on the CPU, owned by the caller.</summary>
    Tensor Sample(long n);
}
