using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch;

/// <summary>How a loss reduces over elements.</summary>
public enum Reduction
{
    /// <summary>Per-element losses.</summary>
    None = 0,
    /// <summary>Mean over elements.</summary>
    Mean = 1,
    /// <summary>Sum over elements.</summary>
    Sum = 2,
}

/// <summary>Neural-network functions (PyTorch's <c>torch.nn.functional</c>).</summary>
public static unsafe class Functional
{
    private static IntPtr Opt(Tensor? t) => t is null ? IntPtr.Zero : t.Raw;
    private static TensorHandle A(Tensor t, string name) => Tensor.Arg(t, name).H;

    /// <summary><c>x · wᵀ + b</c>.</summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null)
    {
        var r = NativeMethods.vt_linear(A(input, nameof(input)), A(weight, nameof(weight)), Opt(bias));
        GC.KeepAlive(bias);
        return Tensor.Wrap(r);
    }

    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(input, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups = 1)
    {
        var r = NativeMethods.vt_conv2d(A(input, nameof(input)), A(weight, nameof(weight)), Opt(bias),
            stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W, groups);
        GC.KeepAlive(bias);
        return Tensor.Wrap(r);
    }

    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0, int dilation = 1, int groups = 1)
    {
        var r = NativeMethods.vt_conv_transpose2d(A(input, nameof(input)), A(weight, nameof(weight)), Opt(bias),
            stride, stride, padding, padding, outputPadding, outputPadding, dilation, dilation, groups);
        GC.KeepAlive(bias);
        return Tensor.Wrap(r);
    }

    public static Tensor AvgPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0) =>
        Tensor.Wrap(NativeMethods.vt_avg_pool2d(A(input, nameof(input)), kernelSize, kernelSize, stride ?? kernelSize, stride ?? kernelSize, padding, padding));

    public static Tensor MaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0) =>
        Tensor.Wrap(NativeMethods.vt_max_pool2d(A(input, nameof(input)), kernelSize, kernelSize, stride ?? kernelSize, stride ?? kernelSize, padding, padding));

    public static Tensor AdaptiveAvgPool2d(Tensor input, int outputHeight, int outputWidth) =>
        Tensor.Wrap(NativeMethods.vt_adaptive_avg_pool2d(A(input, nameof(input)), outputHeight, outputWidth));

    /// <summary>Nearest-neighbour resize of an NCHW batch.</summary>
    public static Tensor UpsampleNearest(Tensor input, int outputHeight, int outputWidth) =>
        Tensor.Wrap(NativeMethods.vt_upsample_nearest2d(A(input, nameof(input)), outputHeight, outputWidth));

    /// <summary>Bilinear resize of an NCHW batch.</summary>
    public static Tensor UpsampleBilinear(Tensor input, int outputHeight, int outputWidth, bool alignCorners = false) =>
        Tensor.Wrap(NativeMethods.vt_upsample_bilinear2d(A(input, nameof(input)), outputHeight, outputWidth, alignCorners ? 1 : 0));

    /// <summary>Padding modes of <see cref="Pad"/>.</summary>
    public enum PadMode { Constant = 0, Reflect = 1, Replicate = 2 }

    /// <summary>Pads the last dimensions; <paramref name="pads"/> as in PyTorch (last dim first: left, right, top, bottom).</summary>
    public static Tensor Pad(Tensor input, ReadOnlySpan<long> pads, PadMode mode = PadMode.Constant, double value = 0)
    {
        fixed (long* p = pads) return Tensor.Wrap(NativeMethods.vt_pad(A(input, nameof(input)), p, pads.Length, (int)mode, value));
    }

    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias, bool training, double momentum = 0.1, double eps = 1e-5)
    {
        var r = NativeMethods.vt_batch_norm(A(input, nameof(input)), Opt(weight), Opt(bias), Opt(runningMean), Opt(runningVar), training ? 1 : 0, momentum, eps);
        GC.KeepAlive(weight); GC.KeepAlive(bias); GC.KeepAlive(runningMean); GC.KeepAlive(runningVar);
        return Tensor.Wrap(r);
    }

    public static Tensor LayerNorm(Tensor input, ReadOnlySpan<long> normalizedShape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        TensorHandle r;
        fixed (long* s = normalizedShape) r = NativeMethods.vt_layer_norm(A(input, nameof(input)), s, normalizedShape.Length, Opt(weight), Opt(bias), eps);
        GC.KeepAlive(weight); GC.KeepAlive(bias);
        return Tensor.Wrap(r);
    }

    public static Tensor GroupNorm(Tensor input, int groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        var r = NativeMethods.vt_group_norm(A(input, nameof(input)), groups, Opt(weight), Opt(bias), eps);
        GC.KeepAlive(weight); GC.KeepAlive(bias);
        return Tensor.Wrap(r);
    }

    public static Tensor InstanceNorm(Tensor input, Tensor? weight = null, Tensor? bias = null, Tensor? runningMean = null, Tensor? runningVar = null, bool useInputStats = true, double momentum = 0.1, double eps = 1e-5)
    {
        var r = NativeMethods.vt_instance_norm(A(input, nameof(input)), Opt(weight), Opt(bias), Opt(runningMean), Opt(runningVar), useInputStats ? 1 : 0, momentum, eps);
        GC.KeepAlive(weight); GC.KeepAlive(bias); GC.KeepAlive(runningMean); GC.KeepAlive(runningVar);
        return Tensor.Wrap(r);
    }

    public static Tensor Dropout(Tensor input, double p = 0.5, bool training = true) =>
        Tensor.Wrap(NativeMethods.vt_dropout(A(input, nameof(input)), p, training ? 1 : 0));

    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        Tensor.Wrap(NativeMethods.vt_mse_loss(A(input, nameof(input)), A(target, nameof(target)), (int)reduction));

    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        Tensor.Wrap(NativeMethods.vt_l1_loss(A(input, nameof(input)), A(target, nameof(target)), (int)reduction));

    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Reduction reduction = Reduction.Mean, Tensor? weight = null, Tensor? posWeight = null)
    {
        var r = NativeMethods.vt_bce_with_logits(A(input, nameof(input)), A(target, nameof(target)), Opt(weight), Opt(posWeight), (int)reduction);
        GC.KeepAlive(weight); GC.KeepAlive(posWeight);
        return Tensor.Wrap(r);
    }

    /// <summary>Cross-entropy of logits [N, C] against class indices [N] (int64).</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target, Reduction reduction = Reduction.Mean) =>
        Tensor.Wrap(NativeMethods.vt_cross_entropy(A(logits, nameof(logits)), A(target, nameof(target)), (int)reduction));

    public static Tensor NllLoss(Tensor logProbabilities, Tensor target, Reduction reduction = Reduction.Mean) =>
        Tensor.Wrap(NativeMethods.vt_nll_loss(A(logProbabilities, nameof(logProbabilities)), A(target, nameof(target)), (int)reduction));
}
