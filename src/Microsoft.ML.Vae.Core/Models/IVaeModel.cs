using TorchSharp;
using static TorchSharp.torch;

using Microsoft.ML.Vae.Core.Priors;

namespace Microsoft.ML.Vae.Core.Models;

/// <summary>
/// What every trained VAE offers to samplers, metrics, the CLI and the ML.NET layer, whatever its
/// family. Data tensors are float32 batches shaped [N, ..SampleShape] on <see cref="Device"/>.
/// Implementations are thread-safe for inference when called under <c>torch.no_grad()</c>.
/// </summary>
public interface IVaeModel : IDisposable
{
    /// <summary>The family and regularizer, e.g. "dp-beta-tc" or "soft-intro".</summary>
    string Kind { get; }

    /// <summary>Dimension d of the latent space (representation space for dpVAE).</summary>
    int LatentDim { get; }

    /// <summary>Shape of one data sample: [C,H,W] for images, [D] for vectors.</summary>
    long[] SampleShape { get; }

    /// <summary>Device holding the weights.</summary>
    Device Device { get; }

    /// <summary>The prior over the latent space.</summary>
    IPrior Prior { get; }

    /// <summary>How decoder outputs score data (the likelihood used by NLL and ELBO metrics).</summary>
    IObservationModel Observation { get; }

    /// <summary>Posterior q(z|x) parameters: mean and log-variance, each [N, d].</summary>
    (Tensor Mean, Tensor LogVar) Encode(Tensor x);

    /// <summary>Decoder output for latents [N, d] (raw, in data space).</summary>
    Tensor Decode(Tensor z);

    /// <summary>Switches every network between training and evaluation mode.</summary>
    void SetTraining(bool training);
}

/// <summary>The likelihood p(x|z) implied by a model's reconstruction loss.</summary>
public interface IObservationModel
{
    /// <summary>log p(x | decoded) per sample, [N], in nats (normalized density).</summary>
    Tensor LogLikelihood(Tensor x, Tensor decoded);

    /// <summary>Maps decoder output to the data range for display (e.g. clamp to [0,1]).</summary>
    Tensor ToData(Tensor decoded);
}
