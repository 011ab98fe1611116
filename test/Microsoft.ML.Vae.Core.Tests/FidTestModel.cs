using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// A stand-in VAE for metric tests whose behaviour is known exactly: the latent code is the
/// flattened image (a perfect autoencoder), the prior is N(mean, std²·I) per pixel, and the
/// observation model clamps to [0, 1].
/// </summary>
internal sealed class FidTestModel : IVaeModel
{
    public FidTestModel(long[] sampleShape, double priorMean = 0.5, double priorStd = 0.2)
    {
        SampleShape = sampleShape;
        LatentDim = (int)sampleShape.Aggregate(1L, (a, b) => a * b);
        Prior = new ShiftedNormalPrior(LatentDim, priorMean, priorStd);
    }

    public string Kind => "test-identity";
    public int LatentDim { get; }
    public long[] SampleShape { get; }
    public Device Device => Device.Cpu;
    public IPrior Prior { get; }
    public IObservationModel Observation { get; } = new ClampObservation();

    /// <summary>Every mode passed to <see cref="SetTraining"/>, in order.</summary>
    public List<bool> TrainingCalls { get; } = new();

    public (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        using var scope = Torch.NewDisposeScope();
        var mean = x.Reshape(x.Size(0), LatentDim).Clone();
        var logVar = Torch.Full([x.Size(0), LatentDim], -20.0);
        return (mean.MoveToOuterScope(), logVar.MoveToOuterScope());
    }

    public Tensor Decode(Tensor z) => z.Reshape([z.Size(0), .. SampleShape]).Clone();

    public void SetTraining(bool training) => TrainingCalls.Add(training);

    public void Dispose() { }

    private sealed class ShiftedNormalPrior(int dim, double mean, double std) : IPrior
    {
        public int LatentDim => dim;

        public Tensor LogProb(Tensor z)
        {
            using var scope = Torch.NewDisposeScope();
            var u = (z - mean) / std;
            var perDim = u.Square() * -0.5 - Math.Log(std) - 0.5 * Math.Log(2 * Math.PI);
            return perDim.Sum(1).MoveToOuterScope();
        }

        public Tensor Sample(long n)
        {
            using var scope = Torch.NewDisposeScope();
            return (Torch.Randn([n, dim]) * std + mean).MoveToOuterScope();
        }
    }

    private sealed class ClampObservation : IObservationModel
    {
        public Tensor LogLikelihood(Tensor x, Tensor decoded)
        {
            using var scope = Torch.NewDisposeScope();
            // Unit-variance Gaussian: −½‖x − x̂‖² − ½·D·log 2π.
            var sse = (x - decoded).Square().Flatten(1).Sum(1);
            return (sse * -0.5 - 0.5 * x.Flatten(1).Size(1) * Math.Log(2 * Math.PI)).MoveToOuterScope();
        }

        public Tensor ToData(Tensor decoded) => decoded.Clamp(0, 1);
    }
}
