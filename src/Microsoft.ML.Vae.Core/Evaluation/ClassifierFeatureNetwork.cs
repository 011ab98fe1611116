using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

namespace Microsoft.ML.Vae.Core.Evaluation;

using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// The small CNN behind <see cref="ClassifierFeatureExtractor"/>:
/// conv 3×3 (C→32) · BN · ReLU · max-pool 2 → conv 3×3 (32→64) · BN · ReLU · max-pool 2 →
/// flatten → linear (→ feature dimension, default 128) · ReLU → dropout → linear (→ classes).
/// The features are the ReLU output of the penultimate layer. Images must be [N, C, H, W] with H
/// and W divisible by 4. State-dict names: "body.*" (convolutions), "features.*", "classifier.*".
/// </summary>
public sealed class ClassifierFeatureNetwork : Layer
{
    private readonly Sequential _body;
    private readonly Sequential _features;
    private readonly Sequential _classifier;

    /// <summary>Builds the network for images of <paramref name="sampleShape"/> [C, H, W].</summary>
    public ClassifierFeatureNetwork(long[] sampleShape, int classCount, int featureDimension = 128, double dropout = 0.3)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Length != 3 || sampleShape.Any(s => s <= 0) || sampleShape[1] % 4 != 0 || sampleShape[2] % 4 != 0)
            throw new ArgumentException(
                $"The classifier takes images [C, H, W] with H and W divisible by 4, not [{string.Join(", ", sampleShape)}].", nameof(sampleShape));
        if (classCount < 2) throw new ArgumentOutOfRangeException(nameof(classCount), $"A classifier needs at least 2 classes, got {classCount}.");
        if (featureDimension <= 0) throw new ArgumentOutOfRangeException(nameof(featureDimension), "The feature dimension must be positive.");
        SampleShape = sampleShape.ToArray();
        ClassCount = classCount;
        FeatureDimension = featureDimension;
        Dropout = dropout;
        int channels = (int)sampleShape[0];
        int flat = checked(64 * (int)(sampleShape[1] / 4) * (int)(sampleShape[2] / 4));
        _body = RegisterModule("body", new Sequential(
            new Conv2d(channels, 32, 3, padding: 1), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
            new Conv2d(32, 64, 3, padding: 1), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
            new Flatten()));
        _features = RegisterModule("features", new Sequential(new Linear(flat, featureDimension), new ReLU()));
        _classifier = RegisterModule("classifier", new Sequential(new Dropout(dropout), new Linear(featureDimension, classCount)));
    }

    /// <summary>Image shape [C, H, W] the network takes.</summary>
    public long[] SampleShape { get; }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Length of the penultimate feature vector.</summary>
    public int FeatureDimension { get; }

    /// <summary>Dropout probability before the last layer in training mode.</summary>
    public double Dropout { get; }

    /// <summary>Penultimate features [N, FeatureDimension].</summary>
    public Tensor Features(Tensor images)
    {
        using var scope = Torch.NewDisposeScope();
        return _features.Forward(_body.Forward(images)).MoveToOuterScope();
    }

    /// <summary>Class logits [N, ClassCount].</summary>
    public override Tensor Forward(Tensor images)
    {
        using var scope = Torch.NewDisposeScope();
        return _classifier.Forward(Features(images)).MoveToOuterScope();
    }
}
