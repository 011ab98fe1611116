using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// k-nearest-neighbour classifier on latent codes (Euclidean distance, uniform majority vote).
/// Ties go to the smallest class index, as scikit-learn's <c>KNeighborsClassifier</c> does.
/// Distances are computed with <see cref="torch.cdist"/> over chunks of query rows, so 10 000
/// queries against 60 000 references need a few hundred MB at most.
/// </summary>
public sealed class KnnClassifier : IDisposable
{
    // Query rows per chunk are chosen so a chunk's distance matrix holds about this many values.
    private const long DistancesPerChunk = 1L << 24;

    private readonly Tensor _codes;   // [n, d]
    private readonly Tensor _labels;  // [n]

    /// <summary>Stores copies of the reference codes [n, d] and their labels [n] (int64 class indices).</summary>
    /// <param name="codes">Reference codes.</param>
    /// <param name="labels">Class of each reference code.</param>
    /// <param name="k">Neighbours that vote (1 ≤ k ≤ n).</param>
    public KnnClassifier(Tensor codes, Tensor labels, int k)
    {
        int classes = LabelledCodes.Validate(codes, labels);
        if (k < 1 || k > codes.size(0))
            throw new ArgumentOutOfRangeException(nameof(k), $"k must be between 1 and the {codes.size(0)} reference codes, got {k}.");
        K = k;
        ClassCount = classes;
        using var scope = torch.NewDisposeScope();
        _codes = codes.to(ScalarType.Float32, torch.CPU).contiguous().DetachFromDisposeScope();
        _labels = labels.to(ScalarType.Int64, torch.CPU).DetachFromDisposeScope();
    }

    /// <summary>Number of voting neighbours.</summary>
    public int K { get; }

    /// <summary>Number of classes (largest reference label + 1).</summary>
    public int ClassCount { get; }

    /// <summary>Predicted classes of <paramref name="codes"/> [m, d]: int64 [m] on the CPU.</summary>
    public Tensor Predict(Tensor codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (codes.dim() != 2 || codes.size(1) != _codes.size(1))
            throw new ArgumentException($"Codes must be [m, {_codes.size(1)}], not {EvaluationData.Describe(codes)}.", nameof(codes));
        long m = codes.size(0);
        long rows = Math.Max(1, DistancesPerChunk / _codes.size(0));
        var parts = new List<Tensor>();
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var queries = codes.to(ScalarType.Float32, torch.CPU);
        for (long start = 0; start < m; start += rows)
        {
            using var inner = torch.NewDisposeScope();
            var chunk = queries.narrow(0, start, Math.Min(rows, m - start));
            var (_, nearest) = torch.cdist(chunk, _codes).topk(K, dim: 1, largest: false, sorted: false);
            var neighbourLabels = _labels.index_select(0, nearest.flatten()).view(nearest.size(0), K);
            var votes = torch.zeros([nearest.size(0), ClassCount]).scatter_add(1, neighbourLabels, torch.ones([nearest.size(0), K]));
            parts.Add(votes.argmax(1).MoveToOuterDisposeScope());
        }
        return torch.cat(parts, 0).MoveToOuterDisposeScope();
    }

    /// <summary>Fraction of <paramref name="codes"/> whose predicted class equals <paramref name="labels"/>.</summary>
    public double Accuracy(Tensor codes, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.dim() != 1 || codes is null || labels.size(0) != codes.size(0))
            throw new ArgumentException("Labels must be a vector with one entry per code.", nameof(labels));
        using var scope = torch.NewDisposeScope();
        return LabelledCodes.Accuracy(Predict(codes), labels);
    }

    /// <summary>Builds a classifier on the training codes and returns its accuracy on the test codes.</summary>
    public static double TrainAndScore(Tensor trainCodes, Tensor trainLabels, Tensor testCodes, Tensor testLabels, int k)
    {
        using var knn = new KnnClassifier(trainCodes, trainLabels, k);
        return knn.Accuracy(testCodes, testLabels);
    }

    /// <summary>Releases the stored codes.</summary>
    public void Dispose()
    {
        _codes.Dispose();
        _labels.Dispose();
    }
}
