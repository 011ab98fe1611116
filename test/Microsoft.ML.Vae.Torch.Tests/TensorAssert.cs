namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Assertions comparing tensors with expected values and shapes.</summary>
internal static class TensorAssert
{
    /// <summary>Asserts the shape and every element (read as double) within an absolute tolerance.</summary>
    public static void Close(double[] expected, Tensor actual, double tolerance = 1e-6, long[]? shape = null)
    {
        if (shape is not null) Shape(shape, actual);
        var values = actual.ToArray<double>();
        Assert.HasCount(expected.Length, values, $"Element count of {actual}.");
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNaN(expected[i])) { Assert.IsTrue(double.IsNaN(values[i]), $"Element {i}: expected NaN, got {values[i]}."); continue; }
            if (double.IsInfinity(expected[i])) { Assert.AreEqual(expected[i], values[i], $"Element {i}."); continue; }
            Assert.AreEqual(expected[i], values[i], tolerance, $"Element {i} of {actual}.");
        }
    }

    /// <summary>Asserts two tensors have the same shape and elements within an absolute tolerance.</summary>
    public static void Close(Tensor expected, Tensor actual, double tolerance = 1e-6)
    {
        Shape(expected.Shape, actual);
        Close(expected.ToArray<double>(), actual, tolerance);
    }

    /// <summary>Asserts exact integer elements and, optionally, the shape.</summary>
    public static void Equal(long[] expected, Tensor actual, long[]? shape = null)
    {
        if (shape is not null) Shape(shape, actual);
        CollectionAssert.AreEqual(expected, actual.ToArray<long>(), $"Elements of {actual}.");
    }

    /// <summary>Asserts exact boolean elements.</summary>
    public static void Equal(bool[] expected, Tensor actual)
    {
        Assert.AreEqual(DType.Bool, actual.DType);
        CollectionAssert.AreEqual(expected, actual.ToArray<bool>(), $"Elements of {actual}.");
    }

    /// <summary>Asserts the shape.</summary>
    public static void Shape(long[] expected, Tensor actual) =>
        CollectionAssert.AreEqual(expected, actual.Shape, $"Shape [{string.Join(", ", actual.Shape)}] of {actual}.");
}
