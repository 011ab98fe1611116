using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// The small CNN behind <see cref="ClassifierFeatureExtractor"/>:
/// conv 3×3 (C→32) · BN · ReLU · max-pool 2 → conv 3×3 (32→64) · BN · ReLU · max-pool 2 →
/// flatten → linear (→ feature dimension, default 128) · ReLU → dropout → linear (→ classes).
/// The features are the ReLU output of the penultimate layer. Images must be [N, C, H, W] with H
/// and W divisible by 4. State-dict names: "body.*" (convolutions), "features.*", "classifier.*".
/// </summary>
public sealed class ClassifierFeatureNetwork : nn.Module<Tensor, Tensor>
{
    private readonly Sequential _body;
    private readonly Sequential _features;
    private readonly Sequential _classifier;

    /// <summary>Builds the network for images of <paramref name="sampleShape"/> [C, H, W].</summary>
    public ClassifierFeatureNetwork(long[] sampleShape, int classCount, int featureDimension = 128, double dropout = 0.3)
        : base(nameof(ClassifierFeatureNetwork))
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
        // TorchSharp's convolution constructors leave a temporary tensor behind; building the layers
        // in a dispose scope releases it (parameters and buffers are not owned by the scope).
        using (torch.NewDisposeScope())
        {
            _body = nn.Sequential(
                nn.Conv2d(channels, 32, 3, padding: 1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(32, 64, 3, padding: 1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
                nn.Flatten());
            _features = nn.Sequential(nn.Linear(flat, featureDimension), nn.ReLU());
            _classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(featureDimension, classCount));
        }
        register_module("body", _body);
        register_module("features", _features);
        register_module("classifier", _classifier);
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
        using var scope = torch.NewDisposeScope();
        return _features.forward(_body.forward(images)).MoveToOuterDisposeScope();
    }

    /// <summary>Class logits [N, ClassCount].</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = torch.NewDisposeScope();
        return _classifier.forward(Features(images)).MoveToOuterDisposeScope();
    }
}
