using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>The same Gaussian N(shift, diag scale²) as a plain prior, without a generation space.</summary>
internal sealed class MetricTestPlainGaussianPrior(double[] shift, double[] scale) : IPrior
{
    private readonly MetricTestAffinePrior _inner = new(shift, scale);

    public int LatentDim => _inner.LatentDim;
    public Tensor LogProb(Tensor z) => _inner.LogProb(z);
    public Tensor Sample(long n) => _inner.Sample(n);
}
