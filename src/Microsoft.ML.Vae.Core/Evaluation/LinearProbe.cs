using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.Optim;

namespace Microsoft.ML.Vae.Core.Evaluation;

using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// Multinomial logistic regression on fixed features (latent codes): the linear-probe measure of
/// how linearly separable a representation is. Trained full batch with Adam for a fixed number of
/// iterations from zero weights, so a fit is deterministic; inputs are standardized with the
/// training statistics. (The prior-learning paper uses a linear SVM; a softmax probe ranks
/// representations the same way and needs no extra dependency.)
/// </summary>
public sealed class LinearProbe : IDisposable
{
    private readonly Tensor _weight;   // [d, C]
    private readonly Tensor _bias;     // [C]
    private readonly Tensor? _mean;    // [d]
    private readonly Tensor? _scale;   // [d]

    private LinearProbe(Tensor weight, Tensor bias, Tensor? mean, Tensor? scale, int classCount)
    {
        _weight = weight;
        _bias = bias;
        _mean = mean;
        _scale = scale;
        ClassCount = classCount;
    }

    /// <summary>Number of classes (largest training label + 1).</summary>
    public int ClassCount { get; }

    /// <summary>Input dimension.</summary>
    public int InputDimension => (int)_weight.Size(0);

    /// <summary>Fits the probe to <paramref name="codes"/> [n, d] with class labels [n] (int64, 0 … C−1).</summary>
    /// <exception cref="ArgumentException">Shapes disagree, codes are not finite, or labels are negative.</exception>
    public static LinearProbe Fit(Tensor codes, Tensor labels, LinearProbeOptions? options = null)
    {
        var opts = options ?? new LinearProbeOptions();
        opts.Validate();
        int classes = LabelledCodes.Validate(codes, labels);
        using var scope = Torch.NewDisposeScope();
        var x = codes.To(DType.Float32, Device.Cpu);
        var y = labels.To(DType.Int64, Device.Cpu);
        Tensor? mean = null, scale = null;
        if (opts.Standardize)
        {
            (mean, scale) = LabelledCodes.Statistics(x);
            x = (x - mean) / scale;
        }
        long d = x.Size(1);
        var weight = Torch.Zeros([d, classes]).DetachFromScope().RequiresGrad_();
        var bias = Torch.Zeros([classes]).DetachFromScope().RequiresGrad_();
        try
        {
            using var optimizer = new Adam([weight, bias], opts.LearningRate);
            for (int i = 0; i < opts.Iterations; i++)
            {
                using var step = Torch.NewDisposeScope();
                optimizer.ZeroGrad();
                var logits = Torch.MatMul(x, weight) + bias;
                var loss = Functional.CrossEntropy(logits, y) + weight.Square().Sum() * (0.5 * opts.L2);
                loss.Backward();
                optimizer.Step();
            }
            weight.RequiresGrad = false;
            bias.RequiresGrad = false;
            weight.Grad = null;
            bias.Grad = null;
        }
        catch
        {
            weight.Dispose();
            bias.Dispose();
            throw;
        }
        return new LinearProbe(weight, bias, mean?.DetachFromScope(), scale?.DetachFromScope(), classes);
    }

    /// <summary>Predicted classes of <paramref name="codes"/> [m, d]: int64 [m] on the CPU.</summary>
    public Tensor Predict(Tensor codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (codes.Dim != 2 || codes.Size(1) != InputDimension)
            throw new ArgumentException($"Codes must be [m, {InputDimension}], not {codes}.", nameof(codes));
        using var noGrad = Torch.NoGrad();
        using var scope = Torch.NewDisposeScope();
        var x = codes.To(DType.Float32, Device.Cpu);
        if (_mean is not null) x = (x - _mean) / _scale!;
        return (Torch.MatMul(x, _weight) + _bias).ArgMax(1).MoveToOuterScope();
    }

    /// <summary>Fraction of <paramref name="codes"/> whose predicted class equals <paramref name="labels"/>.</summary>
    public double Accuracy(Tensor codes, Tensor labels)
    {
        LabelledCodes.Validate(codes, labels);
        using var scope = Torch.NewDisposeScope();
        return LabelledCodes.Accuracy(Predict(codes), labels);
    }

    /// <summary>Fits on the training codes and returns the accuracy on the test codes.</summary>
    public static double TrainAndScore(Tensor trainCodes, Tensor trainLabels, Tensor testCodes, Tensor testLabels, LinearProbeOptions? options = null)
    {
        using var probe = Fit(trainCodes, trainLabels, options);
        return probe.Accuracy(testCodes, testLabels);
    }

    /// <summary>Releases the weights.</summary>
    public void Dispose()
    {
        _weight.Dispose();
        _bias.Dispose();
        _mean?.Dispose();
        _scale?.Dispose();
    }
}
