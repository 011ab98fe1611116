using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>Checks and statistics shared by the classifiers that score latent codes.</summary>
internal static class LabelledCodes
{
    /// <summary>Validates codes [n, d] and labels [n]; returns the class count (largest label + 1).</summary>
    public static int Validate(Tensor codes, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(labels);
        if (codes.dim() != 2 || codes.size(0) == 0 || codes.size(1) == 0)
            throw new ArgumentException($"Codes must be a non-empty 2-D [n, d] tensor, not {EvaluationData.Describe(codes)}.", nameof(codes));
        if (labels.dim() != 1 || labels.size(0) != codes.size(0))
            throw new ArgumentException($"Labels must be [{codes.size(0)}] (one per code), not [{string.Join(", ", labels.shape)}].", nameof(labels));
        if (torch.is_floating_point(labels.dtype) || labels.dtype == ScalarType.Bool)
            throw new ArgumentException($"Labels must be integer class indices, not {labels.dtype}.", nameof(labels));
        if (!codes.AllFinite())
            throw new ArgumentException("Codes hold NaN or infinity.", nameof(codes));
        using var scope = torch.NewDisposeScope();
        long min = labels.min().to(ScalarType.Int64).item<long>(), max = labels.max().to(ScalarType.Int64).item<long>();
        if (min < 0) throw new ArgumentException($"Labels must be non-negative class indices; found {min}.", nameof(labels));
        if (max >= int.MaxValue) throw new ArgumentException($"Label {max} is too large for a class index.", nameof(labels));
        return (int)max + 1;
    }

    /// <summary>Per-column mean and standard deviation (population; columns with zero spread get scale 1).</summary>
    public static (Tensor Mean, Tensor Scale) Statistics(Tensor codes)
    {
        using var scope = torch.NewDisposeScope();
        var mean = codes.mean([0]);
        var std = codes.std(0, unbiased: false);
        var scale = torch.where(std.gt(1e-12), std, torch.ones_like(std));
        return (mean.MoveToOuterDisposeScope(), scale.MoveToOuterDisposeScope());
    }

    /// <summary>Fraction of equal entries of two label vectors.</summary>
    public static double Accuracy(Tensor predicted, Tensor labels)
    {
        using var scope = torch.NewDisposeScope();
        var truth = labels.to(ScalarType.Int64, predicted.device);
        return predicted.eq(truth).sum().item<long>() / (double)labels.size(0);
    }
}
