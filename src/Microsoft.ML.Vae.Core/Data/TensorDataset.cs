using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Data;

/// <summary>
/// An in-memory data set: features float32 [N, ...sampleShape] on the CPU and optional class
/// labels int64 [N]. It owns its tensors and validates them on construction (not empty, every
/// feature finite, labels matching the sample count).
/// </summary>
public sealed class TensorDataset : IDisposable
{
    /// <summary>
    /// Wraps <paramref name="features"/> and <paramref name="labels"/>, taking ownership of both
    /// (they leave any dispose scope and are disposed with the data set).
    /// </summary>
    /// <param name="features">float32 CPU tensor [N, ...] with N ≥ 1 and at least one more dimension.</param>
    /// <param name="labels">Optional int64 CPU tensor [N].</param>
    /// <exception cref="ArgumentException">The tensors are empty, hold NaN or infinity, or disagree.</exception>
    public TensorDataset(Tensor features, Tensor? labels = null)
        : this(Validated(features, labels), labels, trusted: true)
    {
    }

    /// <summary>Builds a data set from a flat row-major copy of the features and optional labels.</summary>
    /// <param name="features">N · prod(sampleShape) values.</param>
    /// <param name="sampleShape">Shape of one sample, e.g. [1, 28, 28] or [2].</param>
    /// <param name="labels">Optional labels, one per sample.</param>
    public static TensorDataset FromArray(float[] features, ReadOnlySpan<long> sampleShape, long[]? labels = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (sampleShape.Length == 0)
            throw new ArgumentException("The sample shape needs at least one dimension.", nameof(sampleShape));
        long sampleSize = 1;
        foreach (var s in sampleShape)
        {
            if (s <= 0) throw new ArgumentException($"Sample shape [{string.Join(", ", sampleShape.ToArray())}] must have positive dimensions.", nameof(sampleShape));
            sampleSize = checked(sampleSize * s);
        }
        if (features.Length % sampleSize != 0)
            throw new ArgumentException($"{features.Length} values are not a whole number of samples of {sampleSize} values each.", nameof(features));
        long[] shape = [features.Length / sampleSize, .. sampleShape];
        var x = torch.tensor(features, shape);
        Tensor? y = null;
        try
        {
            if (labels is not null) y = torch.tensor(labels);
            return new TensorDataset(x, y);
        }
        catch
        {
            x.Dispose();
            y?.Dispose();
            throw;
        }
    }

    /// <summary>Features float32 [N, ...sampleShape] on the CPU. Owned by the data set: do not dispose.</summary>
    public Tensor Features { get; }

    /// <summary>Class labels int64 [N], or null. Owned by the data set: do not dispose.</summary>
    public Tensor? Labels { get; }

    /// <summary>Number of samples N.</summary>
    public long Count { get; }

    /// <summary>Shape of one sample (the feature shape without the leading N).</summary>
    public long[] SampleShape { get; }

    /// <summary>Number of values in one sample.</summary>
    public long SampleSize
    {
        get
        {
            long n = 1;
            foreach (var s in SampleShape) n *= s;
            return n;
        }
    }

    /// <summary>The samples <paramref name="start"/> … start + count − 1 (sharing memory with this set).</summary>
    public TensorDataset Subset(long start, long count)
    {
        if (start < 0 || count <= 0 || start > Count - count)
            throw new ArgumentOutOfRangeException(nameof(count), $"Subset [{start}, {start + count}) is not a non-empty range inside the {Count} samples.");
        using var scope = torch.NewDisposeScope();
        var x = Features.narrow(0, start, count);
        var y = Labels?.narrow(0, start, count);
        return new TensorDataset(x, y, trusted: true);
    }

    /// <summary>The samples at <paramref name="indices"/> (int64 [K], any order, repeats allowed), copied.</summary>
    public TensorDataset Take(Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.dim() != 1) throw new ArgumentException($"Indices must be 1-D, not {Describe(indices)}.", nameof(indices));
        long k = indices.numel();
        if (k == 0) throw new ArgumentException("The data set is empty: no indices were given.", nameof(indices));
        using var scope = torch.NewDisposeScope();
        var idx = indices.dtype == ScalarType.Int64 && indices.device_type == DeviceType.CPU ? indices : indices.to(ScalarType.Int64, torch.CPU);
        long min = idx.min().item<long>(), max = idx.max().item<long>();
        if (min < 0 || max >= Count)
            throw new IndexOutOfRangeException($"Index {(min < 0 ? min : max)} is outside the {Count} samples.");
        var x = Features.index_select(0, idx);
        var y = Labels?.index_select(0, idx);
        return new TensorDataset(x, y, trusted: true);
    }

    /// <summary>The samples at <paramref name="indices"/>, copied.</summary>
    public TensorDataset Take(ReadOnlySpan<long> indices)
    {
        using var idx = torch.tensor(indices.ToArray());
        return Take(idx);
    }

    /// <summary>Releases the features and labels.</summary>
    public void Dispose()
    {
        Features.Dispose();
        Labels?.Dispose();
    }

    private static string Describe(Tensor t) => $"a {t.dtype} tensor of shape {t.ShapeString()}";

    /// <inheritdoc />
    public override string ToString() =>
        $"TensorDataset({Count} samples of [{string.Join(", ", SampleShape)}]{(Labels is null ? "" : ", labelled")})";

    // For tensors already known valid (slices and selections of a validated set): no scan.
    private TensorDataset(Tensor features, Tensor? labels, bool trusted)
    {
        _ = trusted;
        Features = features.DetachFromDisposeScope();
        Labels = labels?.DetachFromDisposeScope();
        var shape = features.shape;
        Count = shape[0];
        SampleShape = shape[1..];
    }

    private static Tensor Validated(Tensor features, Tensor? labels)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.dim() < 2)
            throw new ArgumentException($"Features must be shaped [N, ...sample shape], not {Describe(features)}.", nameof(features));
        if (features.dtype != ScalarType.Float32)
            throw new ArgumentException($"Features must be float32, not {features.dtype}; convert with to(ScalarType.Float32).", nameof(features));
        if (features.device_type != DeviceType.CPU)
            throw new ArgumentException("Features must live on the CPU; batches are moved to the training device by the batcher.", nameof(features));
        long n = features.size(0);
        if (n == 0 || features.numel() == 0)
            throw new ArgumentException("The data set is empty (it has no samples or zero-sized samples).", nameof(features));
        if (!AllFinite(features))
        {
            long bad = FirstNonFiniteSample(features);
            throw new ArgumentException($"Sample {bad} of the data set holds NaN or infinity; clean or drop it before training.", nameof(features));
        }
        if (labels is null) return features;
        if (labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"Labels must be int64, not {labels.dtype}; convert with to(ScalarType.Int64).", nameof(labels));
        if (labels.device_type != DeviceType.CPU)
            throw new ArgumentException("Labels must live on the CPU.", nameof(labels));
        if (labels.dim() != 1 || labels.size(0) != n)
            throw new ArgumentException($"Labels must be shaped [{n}] (one per sample) but are [{string.Join(", ", labels.shape)}].", nameof(labels));
        return features;
    }

    private static bool AllFinite(Tensor features)
    {
        // One reduction pass without a mask allocation: a NaN or infinity anywhere makes the sum
        // non-finite. Only when it is (or the sum overflowed) is the element-wise check needed.
        using var sum = features.sum(type: ScalarType.Float64);
        if (double.IsFinite(sum.item<double>())) return true;
        return features.AllFinite();
    }

    private static long FirstNonFiniteSample(Tensor features)
    {
        using var scope = torch.NewDisposeScope();
        // Count the non-finite values per sample, then take the first sample with any.
        var perSample = features.isfinite().logical_not().reshape(features.size(0), -1).sum(1);
        var rows = perSample.gt(0).nonzero();
        return rows.numel() == 0 ? -1 : rows.min().item<long>();
    }
}
