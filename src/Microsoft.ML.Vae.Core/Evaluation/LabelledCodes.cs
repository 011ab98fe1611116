using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>Checks and statistics shared by the classifiers that score latent codes.</summary>
internal static class LabelledCodes
{
    /// <summary>Validates codes [n, d] and labels [n]; returns the class count (largest label + 1).</summary>
    public static int Validate(Tensor codes, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(codes);
        ArgumentNullException.ThrowIfNull(labels);
        if (codes.Dim != 2 || codes.Size(0) == 0 || codes.Size(1) == 0)
            throw new ArgumentException($"Codes must be a non-empty 2-D [n, d] tensor, not {codes}.", nameof(codes));
        if (labels.Dim != 1 || labels.Size(0) != codes.Size(0))
            throw new ArgumentException($"Labels must be [{codes.Size(0)}] (one per code), not [{string.Join(", ", labels.Shape)}].", nameof(labels));
        if (labels.DType.IsFloatingPoint() || labels.DType == DType.Bool)
            throw new ArgumentException($"Labels must be integer class indices, not {labels.DType}.", nameof(labels));
        if (!codes.AllFinite())
            throw new ArgumentException("Codes hold NaN or infinity.", nameof(codes));
        using var scope = Torch.NewDisposeScope();
        long min = labels.Min().ItemLong(), max = labels.Max().ItemLong();
        if (min < 0) throw new ArgumentException($"Labels must be non-negative class indices; found {min}.", nameof(labels));
        if (max >= int.MaxValue) throw new ArgumentException($"Label {max} is too large for a class index.", nameof(labels));
        return (int)max + 1;
    }

    /// <summary>Per-column mean and standard deviation (population; columns with zero spread get scale 1).</summary>
    public static (Tensor Mean, Tensor Scale) Statistics(Tensor codes)
    {
        using var scope = Torch.NewDisposeScope();
        var mean = codes.Mean(0);
        var std = codes.Std(0, unbiased: false);
        var scale = std.Where(std.Gt(1e-12), Torch.OnesLike(std));
        return (mean.MoveToOuterScope(), scale.MoveToOuterScope());
    }

    /// <summary>Fraction of equal entries of two label vectors.</summary>
    public static double Accuracy(Tensor predicted, Tensor labels)
    {
        using var scope = Torch.NewDisposeScope();
        var truth = labels.To(DType.Int64, predicted.Device);
        return predicted.Eq(truth).Sum().ItemLong() / (double)labels.Size(0);
    }
}
