namespace Microsoft.ML.Vae.Torch.NN;

/// <summary>PyTorch's default initializations (kaiming-uniform with a = √5 and a matching bias bound).</summary>
internal static class Init
{
    public static Tensor UniformWeight(long[] shape, long fanIn)
    {
        double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0;
        using (Torch.NoGrad()) return Torch.Empty(shape).Uniform_(-bound, bound);
    }
}

/// <summary>Fully connected layer <c>y = x·Wᵀ + b</c>.</summary>
public sealed class Linear : Layer
{
    public Tensor Weight { get; }
    public Tensor? Bias { get; }
    public int InFeatures { get; }
    public int OutFeatures { get; }

    public Linear(int inFeatures, int outFeatures, bool bias = true)
    {
        if (inFeatures <= 0 || outFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), "Feature counts must be positive.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", Init.UniformWeight([outFeatures, inFeatures], inFeatures));
        if (bias) Bias = RegisterParameter("bias", Init.UniformWeight([outFeatures], inFeatures));
    }

    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);
}

/// <summary>2-D convolution over NCHW batches.</summary>
public sealed class Conv2d : Layer
{
    public Tensor Weight { get; }
    public Tensor? Bias { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int Dilation { get; }
    public int Groups { get; }

    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0 || stride <= 0 || groups <= 0 || padding < 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), "Conv2d sizes must be positive (padding non-negative).");
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException("Channel counts must be divisible by groups.");
        (Stride, Padding, Dilation, Groups) = (stride, padding, dilation, groups);
        long fanIn = (long)inChannels / groups * kernelSize * kernelSize;
        Weight = RegisterParameter("weight", Init.UniformWeight([outChannels, inChannels / groups, kernelSize, kernelSize], fanIn));
        if (bias) Bias = RegisterParameter("bias", Init.UniformWeight([outChannels], fanIn));
    }

    public override Tensor Forward(Tensor input) => Functional.Conv2d(input, Weight, Bias, Stride, Padding, Dilation, Groups);
}

/// <summary>2-D transposed convolution over NCHW batches.</summary>
public sealed class ConvTranspose2d : Layer
{
    public Tensor Weight { get; }
    public Tensor? Bias { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int OutputPadding { get; }
    public int Dilation { get; }
    public int Groups { get; }

    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0, int groups = 1, bool bias = true, int dilation = 1)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0 || stride <= 0 || groups <= 0 || padding < 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), "ConvTranspose2d sizes must be positive (padding non-negative).");
        (Stride, Padding, OutputPadding, Dilation, Groups) = (stride, padding, outputPadding, dilation, groups);
        long fanIn = (long)outChannels / groups * kernelSize * kernelSize; // PyTorch computes fan-in from weight dim 1
        Weight = RegisterParameter("weight", Init.UniformWeight([inChannels, outChannels / groups, kernelSize, kernelSize], fanIn));
        if (bias) Bias = RegisterParameter("bias", Init.UniformWeight([outChannels], fanIn));
    }

    public override Tensor Forward(Tensor input) =>
        Functional.ConvTranspose2d(input, Weight, Bias, Stride, Padding, OutputPadding, Dilation, Groups);
}

/// <summary>Batch normalization over the channel dimension (1 for [N,C] or [N,C,L], and for [N,C,H,W]).</summary>
public class BatchNorm : Layer
{
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }
    public Tensor RunningMean { get; }
    public Tensor RunningVar { get; }
    public Tensor NumBatchesTracked { get; }
    public double Momentum { get; }
    public double Eps { get; }
    private readonly int _expectedDims;

    protected BatchNorm(int numFeatures, double eps, double momentum, bool affine, int expectedDims)
    {
        if (numFeatures <= 0) throw new ArgumentOutOfRangeException(nameof(numFeatures));
        (Eps, Momentum, _expectedDims) = (eps, momentum, expectedDims);
        if (affine)
        {
            Weight = RegisterParameter("weight", Torch.Ones([numFeatures]));
            Bias = RegisterParameter("bias", Torch.Zeros([numFeatures]));
        }
        RunningMean = RegisterBuffer("running_mean", Torch.Zeros([numFeatures]));
        RunningVar = RegisterBuffer("running_var", Torch.Ones([numFeatures]));
        NumBatchesTracked = RegisterBuffer("num_batches_tracked", Torch.Zeros([], DType.Int64));
    }

    public override Tensor Forward(Tensor input)
    {
        int dim = input.Dim;
        if (_expectedDims == 4 ? dim != 4 : dim is not (2 or 3))
            throw new ArgumentException($"{GetType().Name} expects a {(_expectedDims == 4 ? "4-D [N,C,H,W]" : "2-D or 3-D")} input, got {dim}-D.");
        if (Training)
            using (Torch.NoGrad()) NumBatchesTracked.Add_(1);
        return Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, Training, Momentum, Eps);
    }
}

/// <summary>Batch normalization of [N,C] or [N,C,L] inputs.</summary>
public sealed class BatchNorm1d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true)
    : BatchNorm(numFeatures, eps, momentum, affine, 2);

/// <summary>Batch normalization of [N,C,H,W] inputs.</summary>
public sealed class BatchNorm2d(int numFeatures, double eps = 1e-5, double momentum = 0.1, bool affine = true)
    : BatchNorm(numFeatures, eps, momentum, affine, 4);

/// <summary>Layer normalization over the trailing <c>normalizedShape</c> dimensions.</summary>
public sealed class LayerNorm : Layer
{
    private readonly long[] _shape;
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }
    public double Eps { get; }

    public LayerNorm(long[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true)
    {
        _shape = normalizedShape.ToArray();
        Eps = eps;
        if (elementwiseAffine)
        {
            Weight = RegisterParameter("weight", Torch.Ones(_shape));
            Bias = RegisterParameter("bias", Torch.Zeros(_shape));
        }
    }

    public override Tensor Forward(Tensor input) => Functional.LayerNorm(input, _shape, Weight, Bias, Eps);
}

/// <summary>Group normalization.</summary>
public sealed class GroupNorm : Layer
{
    public int Groups { get; }
    public Tensor? Weight { get; }
    public Tensor? Bias { get; }
    public double Eps { get; }

    public GroupNorm(int numGroups, int numChannels, double eps = 1e-5, bool affine = true)
    {
        if (numGroups <= 0 || numChannels % numGroups != 0) throw new ArgumentException("numChannels must be divisible by numGroups.");
        (Groups, Eps) = (numGroups, eps);
        if (affine)
        {
            Weight = RegisterParameter("weight", Torch.Ones([numChannels]));
            Bias = RegisterParameter("bias", Torch.Zeros([numChannels]));
        }
    }

    public override Tensor Forward(Tensor input) => Functional.GroupNorm(input, Groups, Weight, Bias, Eps);
}

/// <summary>Zeroes elements with probability p during training and rescales the rest.</summary>
public sealed class Dropout(double p = 0.5) : Layer
{
    public double P { get; } = p is >= 0 and <= 1 ? p : throw new ArgumentOutOfRangeException(nameof(p), "Dropout probability must be in [0, 1].");
    public override Tensor Forward(Tensor input) => Functional.Dropout(input, P, Training);
}

/// <summary>Runs layers one after another; children are named "0", "1", ... like PyTorch's.</summary>
public sealed class Sequential : Layer
{
    private readonly List<Layer> _layers = new();

    public Sequential(params Layer[] layers)
    {
        foreach (var l in layers) Append(l);
    }

    public Sequential Append(Layer layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    public int Count => _layers.Count;
    public Layer this[int index] => _layers[index];

    public override Tensor Forward(Tensor input)
    {
        if (_layers.Count == 0) return input.Alias();
        // Intermediate results are disposed as soon as the next layer has consumed them.
        var x = _layers[0].Forward(input);
        for (int i = 1; i < _layers.Count; i++)
        {
            var y = _layers[i].Forward(x);
            x.Dispose();
            x = y;
        }
        return x;
    }
}
