using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// Maps images to feature vectors for FID and precision/recall. Implementations batch internally,
/// run without gradients, and leave the input untouched.
/// </summary>
public interface IFeatureExtractor : IDisposable
{
    /// <summary>
    /// Identifies the features in reports (the <c>fidFeatures</c> key), e.g. "inception-v3" or
    /// "fashion-mnist-classifier-v1". FID values are only comparable between equal names.
    /// </summary>
    string Name { get; }

    /// <summary>Length k of each feature vector.</summary>
    int Dimension { get; }

    /// <summary>Features of images [N, C, H, W] with values in [0, 1] (any device): float32 [N, k] on the CPU.</summary>
    /// <exception cref="ArgumentException">The images have a shape, channel count or value range the extractor cannot take.</exception>
    Tensor Extract(Tensor images);
}
