using Microsoft.ML.Data;

namespace FashionMnistFeaturizer;

/// <summary>One input row: a 28×28 grayscale image as 784 pixel values 0–255, and its class name.</summary>
public sealed class ModelInput
{
    /// <summary>Pixels, row-major, 0–255.</summary>
    [VectorType(784)]
    public float[] Pixels { get; set; } = [];

    /// <summary>The class name, e.g. "Sneaker".</summary>
    public string Label { get; set; } = "";
}
