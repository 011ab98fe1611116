using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// Samples chosen by a posterior-based sampler (low- or high-posterior): the latents, their
/// decoded images and the score each was ranked by. The tensors leave the sampler in the caller's
/// dispose scope (when one is open); disposing the set releases them either way.
/// </summary>
public sealed class PosteriorSampleSet : IDisposable
{
    internal PosteriorSampleSet(Tensor latents, Tensor samples, Tensor scores)
    {
        Latents = latents;
        Samples = samples;
        Scores = scores;
    }

    /// <summary>Latents z [n, d] in the representation space, on the model's device.</summary>
    public Tensor Latents { get; }

    /// <summary>Decoded samples [n, ..SampleShape] mapped to the data range (Observation.ToData).</summary>
    public Tensor Samples { get; }

    /// <summary>The score each sample was ranked by [n], float64; the sampler documents its meaning.</summary>
    public Tensor Scores { get; }

    /// <summary>Number of samples.</summary>
    public long Count => Latents.size(0);

    /// <summary>Releases the three tensors.</summary>
    public void Dispose()
    {
        Latents.Dispose();
        Samples.Dispose();
        Scores.Dispose();
    }
}
