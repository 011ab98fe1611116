using Microsoft.ML.Data;

namespace VaeMetricTable;

/// <summary>One input row: a 28×28 grayscale image as 784 pixel values 0–255, and its class index.</summary>
public sealed class ModelInput
{
    /// <summary>Pixels, row-major, 0–255.</summary>
    [VectorType(784)]
    public float[] Pixels { get; set; } = [];

    /// <summary>Class index 0–9.</summary>
    public uint Label { get; set; }
}
