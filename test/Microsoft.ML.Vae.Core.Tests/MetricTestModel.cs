using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// A VAE assembled from delegates, for metric tests whose expected values follow from the
/// encoder, decoder and prior in closed form. Runs on the CPU.
/// </summary>
internal sealed class MetricTestModel : IVaeModel
{
    private readonly Func<Tensor, (Tensor Mean, Tensor LogVar)> _encode;
    private readonly Func<Tensor, Tensor> _decode;

    public MetricTestModel(int latentDim, long[] sampleShape, Func<Tensor, (Tensor, Tensor)> encode, Func<Tensor, Tensor> decode,
        IPrior? prior = null, IObservationModel? observation = null)
    {
        LatentDim = latentDim;
        SampleShape = sampleShape;
        _encode = encode;
        _decode = decode;
        Prior = prior ?? new MetricTestAffinePrior(new double[latentDim], Enumerable.Repeat(1.0, latentDim).ToArray());
        Observation = observation ?? new MetricTestGaussianObservation(1.0);
    }

    /// <summary>Number of Encode calls (to check batching).</summary>
    public int EncodeCalls { get; private set; }

    /// <summary>The mode last set through <see cref="SetTraining"/>.</summary>
    public bool Training { get; private set; } = true;

    public string Kind => "metric-test";
    public int LatentDim { get; }
    public long[] SampleShape { get; }
    public Device Device => torch.CPU;
    public IPrior Prior { get; }
    public IObservationModel Observation { get; }

    public (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        EncodeCalls++;
        return _encode(x);
    }

    public Tensor Decode(Tensor z) => _decode(z);

    public void SetTraining(bool training) => Training = training;

    public void Dispose() { }

    /// <summary>
    /// A model on vectors of dimension d = D whose posterior is N(x, σ²I) (encoder mean = x,
    /// constant log-variance) and whose decoder is the identity.
    /// </summary>
    public static MetricTestModel IdentityEncoder(int dim, double posteriorStd, IPrior? prior = null) =>
        new(dim, [dim],
            x => (x.clone(), torch.full_like(x, 2 * Math.Log(posteriorStd))),
            z => z.clone(),
            prior);
}
