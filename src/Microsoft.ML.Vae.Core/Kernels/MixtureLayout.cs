using System.Runtime.InteropServices;

namespace Microsoft.ML.Vae.Core.Kernels;

/// <summary>
/// A diagonal-Gaussian mixture in the layout the kernels read: components padded to a multiple of the
/// widest vector, one row of <see cref="KPadded"/> values per latent coordinate (structure of arrays), so
/// the inner loops run over components with unit stride. Padding lanes carry a very negative bias and zero
/// precision, so they contribute nothing. Native, 64-byte-aligned memory: dispose it.
/// </summary>
internal sealed unsafe class MixtureLayout : IDisposable
{
    /// <summary>Components are padded to a multiple of this (16 floats: one 512-bit vector, two 256-bit ones).</summary>
    public const int Padding = 16;

    /// <summary>Pad bias: far below any real log-density but finite, so pad − max never makes inf − inf.</summary>
    public const float PadBias = -1e30f;

    private MixtureLayout(int k, int d)
    {
        K = k;
        D = d;
        KPadded = (k + Padding - 1) / Padding * Padding;
        nuint floats = (nuint)((3L * d + 2) * KPadded);
        _memory = (float*)NativeMemory.AlignedAlloc(floats * sizeof(float), 64);
        Mean = _memory;
        HalfPrecision = _memory + (long)d * KPadded;
        Bias = _memory + 2L * d * KPadded;
        NegHalfPrecision = Bias + KPadded;
        ShiftedBias = NegHalfPrecision + (long)d * KPadded;
    }

    private float* _memory;

    /// <summary>Real components K.</summary>
    public int K { get; }

    /// <summary>Padded component count (a multiple of <see cref="Padding"/>).</summary>
    public int KPadded { get; }

    /// <summary>Latent dimension d.</summary>
    public int D { get; }

    /// <summary>Means μ_kj at [j·KPadded + k].</summary>
    public float* Mean { get; }

    /// <summary>½·e^{−lv_kj} at [j·KPadded + k].</summary>
    public float* HalfPrecision { get; }

    /// <summary>log w_k − ½ Σ_j lv_kj at [k].</summary>
    public float* Bias { get; }

    /// <summary>−½·e^{−lv_kj} at [j·KPadded + k]: lets the one-sweep kernels form the terms with fused multiply-adds.</summary>
    public float* NegHalfPrecision { get; }

    /// <summary>bias_k − <see cref="MaxBias"/> at [k] (pad lanes stay hugely negative).</summary>
    public float* ShiftedBias { get; }

    /// <summary>
    /// max_k bias_k over the real components: an upper bound of every term a_k = bias_k − Σ_j h_kj t_kj², since
    /// the quadratic part is never negative. Kernels may shift exponentials by it instead of by each row's maximum.
    /// </summary>
    public float MaxBias { get; private set; } = PadBias;

    /// <summary>False when any parameter is NaN or a mean or log-variance is infinite (every output is then NaN).</summary>
    public bool Finite { get; private set; } = true;

    /// <summary>Builds the padded layout from row-major means [K, d], log-variances [K, d] and log-weights [K].</summary>
    public static MixtureLayout Prepare(float* mean, float* logVar, float* logWeight, int k, int d)
    {
        var c = new MixtureLayout(k, d);
        int kp = c.KPadded;
        new Span<float>(c.Mean, d * kp).Clear();
        new Span<float>(c.HalfPrecision, d * kp).Clear();
        new Span<float>(c.Bias, kp).Fill(PadBias);
        for (int i = 0; i < k; i++)
        {
            double bias = logWeight[i];
            if (float.IsNaN(logWeight[i])) c.Finite = false;
            for (int j = 0; j < d; j++)
            {
                float m = mean[(long)i * d + j], lv = logVar[(long)i * d + j];
                if (!float.IsFinite(m) || !float.IsFinite(lv)) c.Finite = false;
                c.Mean[(long)j * kp + i] = m;
                c.HalfPrecision[(long)j * kp + i] = (float)(0.5 * Math.Exp(-(double)lv));
                bias -= 0.5 * lv;
            }
            // A zero-weight component (log w = −inf) is kept finite so that it simply never contributes.
            c.Bias[i] = bias < PadBias ? PadBias : (float)bias;
            c.MaxBias = Math.Max(c.MaxBias, c.Bias[i]);
        }
        for (int i = 0; i < d * kp; i++) c.NegHalfPrecision[i] = -c.HalfPrecision[i];
        for (int i = 0; i < kp; i++) c.ShiftedBias[i] = c.Bias[i] - c.MaxBias;
        return c;
    }

    /// <summary>Frees the native memory.</summary>
    public void Dispose()
    {
        if (_memory != null)
        {
            NativeMemory.AlignedFree(_memory);
            _memory = null;
        }
        GC.SuppressFinalize(this);
    }

    ~MixtureLayout()
    {
        if (_memory != null) NativeMemory.AlignedFree(_memory);
    }
}
