using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch;

// Element-wise math, comparisons and activations (PyTorch names in .NET style).
public sealed partial class Tensor
{
    private Tensor Unary(UnaryOp op) => Wrap(NativeMethods.vt_unary((int)op, H));
    private Tensor UnaryInPlace(UnaryOp op) { NativeMethods.Check(NativeMethods.vt_unary_((int)op, H)); return this; }
    private Tensor Binary(BinaryOp op, Tensor other) => Wrap(NativeMethods.vt_binary((int)op, H, Arg(other).H));
    private Tensor BinaryInPlace(BinaryOp op, Tensor other) { NativeMethods.Check(NativeMethods.vt_binary_((int)op, H, Arg(other).H)); return this; }
    private Tensor BinaryScalar(BinaryOp op, double s) => Wrap(NativeMethods.vt_binary_scalar((int)op, H, s));
    private Tensor BinaryScalarInPlace(BinaryOp op, double s) { NativeMethods.Check(NativeMethods.vt_binary_scalar_((int)op, H, s)); return this; }

    internal static Tensor Arg(Tensor t, string name = "other") => t ?? throw new ArgumentNullException(name);

    // ---- operators
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    public static Tensor operator +(Tensor a, double b) => a.Add(b);
    public static Tensor operator +(double a, Tensor b) => b.Add(a);
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    public static Tensor operator -(Tensor a, double b) => a.Sub(b);
    public static Tensor operator -(double a, Tensor b) => b.BinaryScalar(BinaryOp.RSub, a);
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    public static Tensor operator *(Tensor a, double b) => a.Mul(b);
    public static Tensor operator *(double a, Tensor b) => b.Mul(a);
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    public static Tensor operator /(Tensor a, double b) => a.Div(b);
    public static Tensor operator /(double a, Tensor b) { using var r = b.Reciprocal(); return r.Mul(a); }
    public static Tensor operator -(Tensor a) => a.Neg();

    // ---- arithmetic
    public Tensor Add(Tensor other) => Binary(BinaryOp.Add, other);
    public Tensor Add(Tensor other, double alpha) => Wrap(NativeMethods.vt_add_scaled(H, Arg(other).H, alpha));
    public Tensor Add(double s) => BinaryScalar(BinaryOp.Add, s);
    public Tensor Sub(Tensor other) => Binary(BinaryOp.Sub, other);
    public Tensor Sub(double s) => BinaryScalar(BinaryOp.Sub, s);
    public Tensor Mul(Tensor other) => Binary(BinaryOp.Mul, other);
    public Tensor Mul(double s) => BinaryScalar(BinaryOp.Mul, s);
    public Tensor Div(Tensor other) => Binary(BinaryOp.Div, other);
    public Tensor Div(double s) => BinaryScalar(BinaryOp.Div, s);
    public Tensor Pow(Tensor exponent) => Binary(BinaryOp.Pow, exponent);
    public Tensor Pow(double exponent) => BinaryScalar(BinaryOp.Pow, exponent);
    public Tensor Remainder(double s) => BinaryScalar(BinaryOp.Remainder, s);
    public Tensor Remainder(Tensor other) => Binary(BinaryOp.Remainder, other);
    public Tensor FloorDivide(double s) => BinaryScalar(BinaryOp.FloorDivide, s);
    public Tensor Atan2(Tensor other) => Binary(BinaryOp.Atan2, other);
    public Tensor Maximum(Tensor other) => Binary(BinaryOp.Maximum, other);
    public Tensor Minimum(Tensor other) => Binary(BinaryOp.Minimum, other);
    /// <summary>Element-wise <c>a + w·(b − a)</c>.</summary>
    public Tensor Lerp(Tensor end, double weight) => Wrap(NativeMethods.vt_lerp(H, Arg(end).H, weight));

    // ---- in place (for optimizers and buffers; avoid on tensors autograd needs)
    public Tensor Add_(Tensor other, double alpha = 1) { NativeMethods.Check(NativeMethods.vt_add_scaled_(H, Arg(other).H, alpha)); return this; }
    public Tensor Add_(double s) => BinaryScalarInPlace(BinaryOp.Add, s);
    public Tensor Sub_(Tensor other) => BinaryInPlace(BinaryOp.Sub, other);
    public Tensor Mul_(Tensor other) => BinaryInPlace(BinaryOp.Mul, other);
    public Tensor Mul_(double s) => BinaryScalarInPlace(BinaryOp.Mul, s);
    public Tensor Div_(Tensor other) => BinaryInPlace(BinaryOp.Div, other);
    public Tensor Div_(double s) => BinaryScalarInPlace(BinaryOp.Div, s);
    public Tensor Clamp_(double min = double.NaN, double max = double.NaN) { CheckClampBounds(min, max); NativeMethods.Check(NativeMethods.vt_clamp_(H, min, max)); return this; }
    public Tensor Exp_() => UnaryInPlace(UnaryOp.Exp);
    public Tensor Sqrt_() => UnaryInPlace(UnaryOp.Sqrt);
    public Tensor Neg_() => UnaryInPlace(UnaryOp.Neg);
    public Tensor Relu_() => UnaryInPlace(UnaryOp.Relu);
    public Tensor Fill_(double value) { NativeMethods.Check(NativeMethods.vt_fill_(H, value)); return this; }
    public Tensor Zero_() { NativeMethods.Check(NativeMethods.vt_zero_(H)); return this; }
    public Tensor Uniform_(double from = 0, double to = 1) { NativeMethods.Check(NativeMethods.vt_uniform_(H, from, to)); return this; }
    public Tensor Normal_(double mean = 0, double std = 1) { NativeMethods.Check(NativeMethods.vt_normal_(H, mean, std)); return this; }
    /// <summary>Copies <paramref name="source"/> (broadcast, converted) into this tensor.</summary>
    public Tensor Copy_(Tensor source, bool nonBlocking = false) { NativeMethods.Check(NativeMethods.vt_copy_(H, Arg(source, nameof(source)).H, nonBlocking ? 1 : 0)); return this; }

    // ---- unary math
    public Tensor Neg() => Unary(UnaryOp.Neg);
    public Tensor Abs() => Unary(UnaryOp.Abs);
    public Tensor Exp() => Unary(UnaryOp.Exp);
    public Tensor Log() => Unary(UnaryOp.Log);
    public Tensor Log1p() => Unary(UnaryOp.Log1p);
    public Tensor Expm1() => Unary(UnaryOp.Expm1);
    public Tensor Sqrt() => Unary(UnaryOp.Sqrt);
    public Tensor Rsqrt() => Unary(UnaryOp.Rsqrt);
    public Tensor Square() => Unary(UnaryOp.Square);
    public Tensor Sign() => Unary(UnaryOp.Sign);
    public Tensor Floor() => Unary(UnaryOp.Floor);
    public Tensor Ceil() => Unary(UnaryOp.Ceil);
    public Tensor Round() => Unary(UnaryOp.Round);
    public Tensor Trunc() => Unary(UnaryOp.Trunc);
    public Tensor Reciprocal() => Unary(UnaryOp.Reciprocal);
    public Tensor Sin() => Unary(UnaryOp.Sin);
    public Tensor Cos() => Unary(UnaryOp.Cos);
    public Tensor Erf() => Unary(UnaryOp.Erf);
    public Tensor Lgamma() => Unary(UnaryOp.Lgamma);
    public Tensor Clamp(double min = double.NaN, double max = double.NaN) { CheckClampBounds(min, max); return Wrap(NativeMethods.vt_clamp(H, min, max)); }

    // NaN means "no bound"; libtorch rejects a clamp without any bound with a generic error.
    private static void CheckClampBounds(double min, double max)
    {
        if (double.IsNaN(min) && double.IsNaN(max))
            throw new ArgumentException("Clamp needs a lower bound, an upper bound or both (NaN means no bound).");
    }
    public Tensor ClampMin(double min) => Clamp(min, double.NaN);
    public Tensor ClampMax(double max) => Clamp(double.NaN, max);
    public Tensor Where(Tensor condition, Tensor other) => Wrap(NativeMethods.vt_where(Arg(condition, nameof(condition)).H, H, Arg(other).H));
    public Tensor MaskedFill(Tensor mask, double value) => Wrap(NativeMethods.vt_masked_fill(H, Arg(mask, nameof(mask)).H, value));
    public Tensor NanToNum(double nan = 0, double posInf = double.MaxValue, double negInf = double.MinValue) => Wrap(NativeMethods.vt_nan_to_num(H, nan, posInf, negInf));
    public Tensor CumSum(long dim) => Wrap(NativeMethods.vt_cumsum(H, dim));

    // ---- activations
    public Tensor Sigmoid() => Unary(UnaryOp.Sigmoid);
    public Tensor Tanh() => Unary(UnaryOp.Tanh);
    public Tensor Relu() => Unary(UnaryOp.Relu);
    public Tensor Gelu() => Unary(UnaryOp.Gelu);
    public Tensor Silu() => Unary(UnaryOp.Silu);
    public Tensor LogSigmoid() => Unary(UnaryOp.LogSigmoid);
    public Tensor LeakyRelu(double negativeSlope = 0.01) => Wrap(NativeMethods.vt_leaky_relu(H, negativeSlope));
    public Tensor Elu(double alpha = 1.0) => Wrap(NativeMethods.vt_elu(H, alpha));
    public Tensor Softplus(double beta = 1.0, double threshold = 20.0) => Wrap(NativeMethods.vt_softplus(H, beta, threshold));
    public Tensor Hardtanh(double min = -1, double max = 1) => Wrap(NativeMethods.vt_hardtanh(H, min, max));
    public Tensor Softmax(long dim) => Wrap(NativeMethods.vt_softmax(H, dim));
    public Tensor LogSoftmax(long dim) => Wrap(NativeMethods.vt_log_softmax(H, dim));

    // ---- comparisons and logic (results are Bool tensors)
    public Tensor Eq(Tensor other) => Binary(BinaryOp.Eq, other);
    public Tensor Eq(double s) => BinaryScalar(BinaryOp.Eq, s);
    public Tensor Ne(Tensor other) => Binary(BinaryOp.Ne, other);
    public Tensor Ne(double s) => BinaryScalar(BinaryOp.Ne, s);
    public Tensor Lt(Tensor other) => Binary(BinaryOp.Lt, other);
    public Tensor Lt(double s) => BinaryScalar(BinaryOp.Lt, s);
    public Tensor Le(Tensor other) => Binary(BinaryOp.Le, other);
    public Tensor Le(double s) => BinaryScalar(BinaryOp.Le, s);
    public Tensor Gt(Tensor other) => Binary(BinaryOp.Gt, other);
    public Tensor Gt(double s) => BinaryScalar(BinaryOp.Gt, s);
    public Tensor Ge(Tensor other) => Binary(BinaryOp.Ge, other);
    public Tensor Ge(double s) => BinaryScalar(BinaryOp.Ge, s);
    public Tensor LogicalAnd(Tensor other) => Binary(BinaryOp.LogicalAnd, other);
    public Tensor LogicalOr(Tensor other) => Binary(BinaryOp.LogicalOr, other);
    public Tensor LogicalNot() => Unary(UnaryOp.LogicalNot);
    public Tensor IsNan() => Unary(UnaryOp.IsNan);
    public Tensor IsInf() => Unary(UnaryOp.IsInf);
    public Tensor IsFinite() => Unary(UnaryOp.IsFinite);

    /// <summary>True when every element is finite (no NaN or infinity).</summary>
    public bool AllFinite()
    {
        using var f = IsFinite();
        using var a = f.All();
        return a.Item() != 0;
    }
}
