using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

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
    public Device Device => torch.CPU;
    public IPrior Prior { get; }
    public IObservationModel Observation { get; } = new ClampObservation();

    /// <summary>Every mode passed to <see cref="SetTraining"/>, in order.</summary>
    public List<bool> TrainingCalls { get; } = new();

    public (Tensor Mean, Tensor LogVar) Encode(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var mean = x.reshape(x.size(0), LatentDim).clone();
        var logVar = torch.full([x.size(0), LatentDim], -20.0);
        return (mean.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope());
    }

    public Tensor Decode(Tensor z) => z.reshape([z.size(0), .. SampleShape]).clone();

    public void SetTraining(bool training) => TrainingCalls.Add(training);

    public void Dispose() { }

    private sealed class ShiftedNormalPrior(int dim, double mean, double std) : IPrior
    {
        public int LatentDim => dim;

        public Tensor LogProb(Tensor z)
        {
            using var scope = torch.NewDisposeScope();
            var u = (z - mean) / std;
            var perDim = u.square() * -0.5 - Math.Log(std) - 0.5 * Math.Log(2 * Math.PI);
            return perDim.sum(1).MoveToOuterDisposeScope();
        }

        public Tensor Sample(long n)
        {
            using var scope = torch.NewDisposeScope();
            return (torch.randn([n, dim]) * std + mean).MoveToOuterDisposeScope();
        }
    }

    private sealed class ClampObservation : IObservationModel
    {
        public Tensor LogLikelihood(Tensor x, Tensor decoded)
        {
            using var scope = torch.NewDisposeScope();
            // Unit-variance Gaussian: −½‖x − x̂‖² − ½·D·log 2π.
            var sse = (x - decoded).square().flatten(1).sum(1);
            return (sse * -0.5 - 0.5 * x.flatten(1).size(1) * Math.Log(2 * Math.PI)).MoveToOuterDisposeScope();
        }

        public Tensor ToData(Tensor decoded) => decoded.clamp(0, 1);
    }
}
