using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Microsoft.ML.Vae.Core.Kernels;

/// <summary>
/// The float-vector operations the fused kernels are written against. Each kernel is a generic method over
/// a struct implementing this interface, so the JIT compiles one specialized copy per vector width
/// (<see cref="V128"/>, <see cref="V256"/>, <see cref="V512"/>) with every call inlined: one source, three
/// widths, picked at run time by <see cref="FusedKernelSupport.VectorBits"/>.
/// </summary>
/// <remarks>
/// Element-wise operations give bit-identical results at every width; only the horizontal reductions
/// (<see cref="Sum"/>) add in a width-dependent order, so the widths agree to float rounding.
/// <see cref="MultiplyAdd"/> is fused where the hardware has FMA (the same choice at every width).
/// </remarks>
internal unsafe interface ISimdOps<TVec> where TVec : struct
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    static abstract TVec Splat(float value);
    static abstract TVec Load(float* source);
    static abstract void Store(float* destination, TVec value);
    static abstract TVec Add(TVec a, TVec b);
    static abstract TVec Subtract(TVec a, TVec b);
    static abstract TVec Multiply(TVec a, TVec b);

    /// <summary>a·b + c, fused where the hardware has FMA.</summary>
    static abstract TVec MultiplyAdd(TVec a, TVec b, TVec c);

    /// <summary>The lane-wise maximum (the hardware instruction: inputs are never NaN here).</summary>
    static abstract TVec Max(TVec a, TVec b);

    /// <summary>All bits set in the lanes where a ≥ b, zero elsewhere.</summary>
    static abstract TVec GreaterThanOrEqual(TVec a, TVec b);

    /// <summary>All bits set in the lanes where a &lt; b, zero elsewhere.</summary>
    static abstract TVec LessThan(TVec a, TVec b);

    static abstract TVec And(TVec a, TVec b);
    static abstract TVec Sqrt(TVec x);

    /// <summary>The sum of the lanes (a fixed shuffle tree for a given width).</summary>
    static abstract float Sum(TVec v);

    /// <summary>The largest lane.</summary>
    static abstract float MaxAcross(TVec v);

    /// <summary>
    /// 2^n as a float for j = n + 1.5·2^23 (the rounding trick of <see cref="SimdMath.ExpNonPositive{TVec, TOps}"/>),
    /// built in the exponent bits; valid for −126 ≤ n ≤ 127.
    /// </summary>
    static abstract TVec PowerOfTwoFromRounded(TVec j);

    /// <summary>For positive normal x: the mantissa m ∈ [0.5, 1) with x = m·2^e, and e as a float.</summary>
    static abstract TVec SplitExponent(TVec x, out TVec exponent);
}

/// <summary>Vector math shared by every width: the fast exponential and logarithm of the kernels.</summary>
internal static class SimdMath
{
    /// <summary>
    /// Terms more than this many nats below a row's largest are dropped (e^−60 ≈ 1e−26 next to the largest
    /// term, which is 1): far below float resolution, and it keeps the gradient accumulators out of the
    /// subnormal range, where arithmetic is many times slower.
    /// </summary>
    public const float Negligible = -60.0f;

    /// <summary>1.5·2^23: adding it rounds a float of magnitude below 2^22 to an integer in the low mantissa bits.</summary>
    public const float RoundingMagic = 12582912.0f;

    /// <summary>
    /// e^x for x ≤ 0 (arguments are always "value − max"), Cephes expf: round-to-nearest range reduction by
    /// the 1.5·2^23 trick, Cephes's polynomial, exponent built in the float's bits. Exactly 0 below
    /// <see cref="Negligible"/> (and for NaN); about 1 ulp above it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec ExpNonPositive<TVec, TOps>(TVec x) where TVec : struct where TOps : struct, ISimdOps<TVec>
    {
        // Lanes below Negligible are masked to 0 at the end, so they need no clamping: whatever their
        // exponent bits become, they never leave this function.
        var keep = TOps.GreaterThanOrEqual(x, TOps.Splat(Negligible));
        var magic = TOps.Splat(RoundingMagic);
        var j = TOps.MultiplyAdd(x, TOps.Splat(1.44269504088896341f), magic);
        var k = TOps.Subtract(j, magic);
        var r = TOps.MultiplyAdd(k, TOps.Splat(-0.693359375f), x);
        r = TOps.MultiplyAdd(k, TOps.Splat(2.12194440e-4f), r);
        var p = TOps.Splat(1.9875691500e-4f);
        p = TOps.MultiplyAdd(p, r, TOps.Splat(1.3981999507e-3f));
        p = TOps.MultiplyAdd(p, r, TOps.Splat(8.3334519073e-3f));
        p = TOps.MultiplyAdd(p, r, TOps.Splat(4.1665795894e-2f));
        p = TOps.MultiplyAdd(p, r, TOps.Splat(1.6666665459e-1f));
        p = TOps.MultiplyAdd(p, r, TOps.Splat(5.0000001201e-1f));
        var one = TOps.Splat(1.0f);
        p = TOps.MultiplyAdd(TOps.MultiplyAdd(p, r, one), r, one);  // 1 + r + r²·p, as two fused steps
        return TOps.And(TOps.Multiply(p, TOps.PowerOfTwoFromRounded(j)), keep);
    }

    /// <summary>
    /// ln x for x in (0, 1] (normal floats), Cephes logf: x = m·2^e with m ∈ [√½, √2), degree-8 polynomial
    /// in m − 1. About 1 ulp.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TVec LogUnit<TVec, TOps>(TVec x) where TVec : struct where TOps : struct, ISimdOps<TVec>
    {
        var m = TOps.SplitExponent(x, out var e);                       // m ∈ [0.5, 1)
        var one = TOps.Splat(1.0f);
        var small = TOps.LessThan(m, TOps.Splat(0.707106781186547524f));
        e = TOps.Subtract(e, TOps.And(small, one));                     // e − 1 where m is doubled
        m = TOps.Subtract(TOps.Add(m, TOps.And(small, m)), one);        // 2m − 1 or m − 1
        var z = TOps.Multiply(m, m);
        var y = TOps.Splat(7.0376836292e-2f);
        y = TOps.MultiplyAdd(y, m, TOps.Splat(-1.1514610310e-1f));
        y = TOps.MultiplyAdd(y, m, TOps.Splat(1.1676998740e-1f));
        y = TOps.MultiplyAdd(y, m, TOps.Splat(-1.2420140846e-1f));
        y = TOps.MultiplyAdd(y, m, TOps.Splat(1.4249322787e-1f));
        y = TOps.MultiplyAdd(y, m, TOps.Splat(-1.6668057665e-1f));
        y = TOps.MultiplyAdd(y, m, TOps.Splat(2.0000714765e-1f));
        y = TOps.MultiplyAdd(y, m, TOps.Splat(-2.4999993993e-1f));
        y = TOps.MultiplyAdd(y, m, TOps.Splat(3.3333331174e-1f));
        y = TOps.Multiply(TOps.Multiply(y, m), z);
        y = TOps.MultiplyAdd(e, TOps.Splat(-2.12194440e-4f), y);
        y = TOps.MultiplyAdd(TOps.Splat(-0.5f), z, y);
        return TOps.MultiplyAdd(e, TOps.Splat(0.693359375f), TOps.Add(m, y));
    }
}

/// <summary>128-bit vectors (SSE, NEON): the path where no wider vector is hardware accelerated.</summary>
internal readonly unsafe struct V128 : ISimdOps<Vector128<float>>
{
    private const int MantissaBits = 0x007fffff;
    private const int HalfBits = 0x3f000000;   // 0.5f

    public static int Count => Vector128<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Splat(float value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Load(float* source) => Vector128.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Vector128<float> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> GreaterThanOrEqual(Vector128<float> a, Vector128<float> b) => Vector128.GreaterThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> LessThan(Vector128<float> a, Vector128<float> b) => Vector128.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> And(Vector128<float> a, Vector128<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Sqrt(Vector128<float> x) => Vector128.Sqrt(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Sum(Vector128<float> v)
    {
        v += Vector128.Shuffle(v, Vector128.Create(2, 3, 0, 1));
        v += Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2));
        return v.ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MaxAcross(Vector128<float> v)
    {
        v = Vector128.MaxNative(v, Vector128.Shuffle(v, Vector128.Create(2, 3, 0, 1)));
        v = Vector128.MaxNative(v, Vector128.Shuffle(v, Vector128.Create(1, 0, 3, 2)));
        return v.ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> PowerOfTwoFromRounded(Vector128<float> j) =>
        ((j.AsInt32() - Vector128.Create(BitConverter.SingleToInt32Bits(SimdMath.RoundingMagic) - 127)) << 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> SplitExponent(Vector128<float> x, out Vector128<float> exponent)
    {
        var bits = x.AsInt32();
        exponent = Vector128.ConvertToSingle((bits >>> 23) - Vector128.Create(126));
        return ((bits & Vector128.Create(MantissaBits)) | Vector128.Create(HalfBits)).AsSingle();
    }
}

/// <summary>256-bit vectors (AVX2): always available on x86-64 machines of the last decade.</summary>
internal readonly unsafe struct V256 : ISimdOps<Vector256<float>>
{
    private const int MantissaBits = 0x007fffff;
    private const int HalfBits = 0x3f000000;

    public static int Count => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Splat(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load(float* source) => Vector256.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Vector256<float> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> GreaterThanOrEqual(Vector256<float> a, Vector256<float> b) => Vector256.GreaterThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> LessThan(Vector256<float> a, Vector256<float> b) => Vector256.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> And(Vector256<float> a, Vector256<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Sqrt(Vector256<float> x) => Vector256.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector256<float> v) => V128.Sum(v.GetLower() + v.GetUpper());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(Vector256<float> v) => V128.MaxAcross(Vector128.MaxNative(v.GetLower(), v.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> PowerOfTwoFromRounded(Vector256<float> j) =>
        ((j.AsInt32() - Vector256.Create(BitConverter.SingleToInt32Bits(SimdMath.RoundingMagic) - 127)) << 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> SplitExponent(Vector256<float> x, out Vector256<float> exponent)
    {
        var bits = x.AsInt32();
        exponent = Vector256.ConvertToSingle((bits >>> 23) - Vector256.Create(126));
        return ((bits & Vector256.Create(MantissaBits)) | Vector256.Create(HalfBits)).AsSingle();
    }
}

/// <summary>512-bit vectors (AVX-512): used only where <see cref="Vector512.IsHardwareAccelerated"/>.</summary>
internal readonly unsafe struct V512 : ISimdOps<Vector512<float>>
{
    private const int MantissaBits = 0x007fffff;
    private const int HalfBits = 0x3f000000;

    public static int Count => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Splat(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load(float* source) => Vector512.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Vector512<float> value) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.MultiplyAddEstimate(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> GreaterThanOrEqual(Vector512<float> a, Vector512<float> b) => Vector512.GreaterThanOrEqual(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> LessThan(Vector512<float> a, Vector512<float> b) => Vector512.LessThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> And(Vector512<float> a, Vector512<float> b) => a & b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Sqrt(Vector512<float> x) => Vector512.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Vector512<float> v) => V256.Sum(v.GetLower() + v.GetUpper());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MaxAcross(Vector512<float> v) => V256.MaxAcross(Vector256.MaxNative(v.GetLower(), v.GetUpper()));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> PowerOfTwoFromRounded(Vector512<float> j) =>
        ((j.AsInt32() - Vector512.Create(BitConverter.SingleToInt32Bits(SimdMath.RoundingMagic) - 127)) << 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> SplitExponent(Vector512<float> x, out Vector512<float> exponent)
    {
        var bits = x.AsInt32();
        exponent = Vector512.ConvertToSingle((bits >>> 23) - Vector512.Create(126));
        return ((bits & Vector512.Create(MantissaBits)) | Vector512.Create(HalfBits)).AsSingle();
    }
}
