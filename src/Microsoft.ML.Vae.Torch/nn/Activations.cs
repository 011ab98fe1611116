namespace Microsoft.ML.Vae.Torch.NN;

/// <summary>Parameter-free layers: activations, reshapes, resampling and pooling.</summary>
public sealed class ReLU : Layer { public override Tensor Forward(Tensor input) => input.Relu(); }
public sealed class GELU : Layer { public override Tensor Forward(Tensor input) => input.Gelu(); }
public sealed class Sigmoid : Layer { public override Tensor Forward(Tensor input) => input.Sigmoid(); }
public sealed class Tanh : Layer { public override Tensor Forward(Tensor input) => input.Tanh(); }
public sealed class SiLU : Layer { public override Tensor Forward(Tensor input) => input.Silu(); }
public sealed class Identity : Layer { public override Tensor Forward(Tensor input) => input.Alias(); }

public sealed class LeakyReLU(double negativeSlope = 0.01) : Layer
{
    public double NegativeSlope { get; } = negativeSlope;
    public override Tensor Forward(Tensor input) => input.LeakyRelu(NegativeSlope);
}

public sealed class ELU(double alpha = 1.0) : Layer
{
    public override Tensor Forward(Tensor input) => input.Elu(alpha);
}

public sealed class Softplus(double beta = 1.0, double threshold = 20.0) : Layer
{
    public override Tensor Forward(Tensor input) => input.Softplus(beta, threshold);
}

public sealed class Hardtanh(double min = -1, double max = 1) : Layer
{
    public override Tensor Forward(Tensor input) => input.Hardtanh(min, max);
}

/// <summary>Flattens dimensions startDim..endDim into one.</summary>
public sealed class Flatten(long startDim = 1, long endDim = -1) : Layer
{
    public override Tensor Forward(Tensor input) => input.Flatten(startDim, endDim);
}

/// <summary>Reshapes each sample to a fixed shape (the batch dimension is kept).</summary>
public sealed class Unflatten(params long[] sampleShape) : Layer
{
    public override Tensor Forward(Tensor input) => input.Reshape([input.Size(0), .. sampleShape]);
}

/// <summary>Integer-factor nearest or bilinear upsampling of NCHW batches.</summary>
public sealed class Upsample(int scaleFactor = 2, bool bilinear = false) : Layer
{
    public override Tensor Forward(Tensor input)
    {
        int h = (int)input.Size(2) * scaleFactor, w = (int)input.Size(3) * scaleFactor;
        return bilinear ? Functional.UpsampleBilinear(input, h, w) : Functional.UpsampleNearest(input, h, w);
    }
}

public sealed class AvgPool2d(int kernelSize, int? stride = null, int padding = 0) : Layer
{
    public override Tensor Forward(Tensor input) => Functional.AvgPool2d(input, kernelSize, stride, padding);
}

public sealed class MaxPool2d(int kernelSize, int? stride = null, int padding = 0) : Layer
{
    public override Tensor Forward(Tensor input) => Functional.MaxPool2d(input, kernelSize, stride, padding);
}

public sealed class AdaptiveAvgPool2d(int outputHeight, int outputWidth) : Layer
{
    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool2d(input, outputHeight, outputWidth);
}
