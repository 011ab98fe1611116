using TorchSharp;
using static TorchSharp.torch;
using TorchSharp.Modules;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Vae.Core.Evaluation;

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
    public int InputDimension => (int)_weight.size(0);

    /// <summary>Fits the probe to <paramref name="codes"/> [n, d] with class labels [n] (int64, 0 … C−1).</summary>
    /// <exception cref="ArgumentException">Shapes disagree, codes are not finite, or labels are negative.</exception>
    public static LinearProbe Fit(Tensor codes, Tensor labels, LinearProbeOptions? options = null)
    {
        var opts = options ?? new LinearProbeOptions();
        opts.Validate();
        int classes = LabelledCodes.Validate(codes, labels);
        using var scope = torch.NewDisposeScope();
        var x = codes.to(ScalarType.Float32, torch.CPU);
        var y = labels.to(ScalarType.Int64, torch.CPU);
        Tensor? mean = null, scale = null;
        if (opts.Standardize)
        {
            (mean, scale) = LabelledCodes.Statistics(x);
            x = (x - mean) / scale;
        }
        long d = x.size(1);
        // The trainable copies live only for the fit; the probe keeps detached copies of their final values.
        using var weight = new Parameter(torch.zeros([d, classes]));
        using var bias = new Parameter(torch.zeros([classes]));
        using (var optimizer = torch.optim.Adam([weight, bias], opts.LearningRate))
        {
            for (int i = 0; i < opts.Iterations; i++)
            {
                using var step = torch.NewDisposeScope();
                optimizer.zero_grad();
                var logits = torch.matmul(x, weight) + bias;
                var loss = F.cross_entropy(logits, y) + weight.square().sum() * (0.5 * opts.L2);
                loss.backward();
                optimizer.step();
            }
        }
        var trainedWeight = weight.detach().clone().DetachFromDisposeScope();
        var trainedBias = bias.detach().clone().DetachFromDisposeScope();
        return new LinearProbe(trainedWeight, trainedBias, mean?.DetachFromDisposeScope(), scale?.DetachFromDisposeScope(), classes);
    }

    /// <summary>Predicted classes of <paramref name="codes"/> [m, d]: int64 [m] on the CPU.</summary>
    public Tensor Predict(Tensor codes)
    {
        ArgumentNullException.ThrowIfNull(codes);
        if (codes.dim() != 2 || codes.size(1) != InputDimension)
            throw new ArgumentException($"Codes must be [m, {InputDimension}], not {EvaluationData.Describe(codes)}.", nameof(codes));
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        var x = codes.to(ScalarType.Float32, torch.CPU);
        if (_mean is not null) x = (x - _mean) / _scale!;
        return (torch.matmul(x, _weight) + _bias).argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>Fraction of <paramref name="codes"/> whose predicted class equals <paramref name="labels"/>.</summary>
    public double Accuracy(Tensor codes, Tensor labels)
    {
        LabelledCodes.Validate(codes, labels);
        using var scope = torch.NewDisposeScope();
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
