using System.Runtime.CompilerServices;

namespace Microsoft.ML.Vae.Core.Kernels;

/// <summary>
/// The inner loops of the fused mixture kernels over plain float memory: log Σ_k w_k N(z_n; μ_k, diag e^{lv_k})
/// over all (sample, component) pairs and its gradients, without materializing the [N, K] matrix. Each
/// row's K component terms live in a small buffer; the [N, K] matrix the generic tensor path materializes
/// (and page-faults in) several times per call never exists. Written once over <see cref="ISimdOps{TVec}"/>
/// and specialized by the JIT for each vector width. The autograd glue is in <see cref="MixtureFunctions"/>.
/// </summary>
/// <remarks>
/// With t = z − μ and h = ½e^{−lv} the term of component k is a_k = bias_k − Σ_j h_kj t_kj², so
/// ∂a/∂z_j = −2 h t, ∂a/∂μ_kj = 2 h t, ∂a/∂lv_kj = h t² − ½ and ∂a/∂log w_k = 1.
/// </remarks>
internal static unsafe class MixtureKernel<TVec, TOps> where TVec : struct where TOps : struct, ISimdOps<TVec>
{
    /// <summary>Scratch buffers up to this many floats live on the stack.</summary>
    private const int StackFloats = 4096;

    /// <summary>2^900: the running product of per-sample totals is renormalized above this.</summary>
    private static readonly double ProductLimit = Math.ScaleB(1.0, 900);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec Exp(TVec x) => SimdMath.ExpNonPositive<TVec, TOps>(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool RowFinite(float* zn, int d)
    {
        for (int j = 0; j < d; j++)
            if (!float.IsFinite(zn[j])) return false;
        return true;
    }

    /// <summary>
    /// a_k = bias_k − Σ_j h_kj (z_j − μ_kj)² for every component into <paramref name="a"/> (KPadded floats);
    /// returns the running lane-wise maximum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TVec RowTerms(MixtureLayout c, float* zn, float* a)
    {
        int kp = c.KPadded, d = c.D, w = TOps.Count;
        var vmax = TOps.Splat(float.NegativeInfinity);
        for (int o = 0; o < kp; o += w)
        {
            var acc = TOps.Load(c.Bias + o);
            for (int j = 0; j < d; j++)
            {
                var t = TOps.Subtract(TOps.Splat(zn[j]), TOps.Load(c.Mean + (long)j * kp + o));
                var ht = TOps.Multiply(TOps.Load(c.HalfPrecision + (long)j * kp + o), t);
                acc = TOps.Subtract(acc, TOps.Multiply(ht, t));
            }
            TOps.Store(a + o, acc);
            vmax = TOps.Max(vmax, acc);
        }
        return vmax;
    }

    /// <summary>
    /// Σ_k c_k h_kj (z_j − μ_kj) for one latent coordinate j, with coefficients <paramref name="coef"/>: the latents'
    /// gradient alone (a stop-gradient prior), in the same arithmetic as <see cref="AddRowGradients"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float LatentGradientSum(MixtureLayout c, float zj, float* coef, int j)
    {
        int kp = c.KPadded, w = TOps.Count;
        var z = TOps.Splat(zj);
        var acc = TOps.Splat(0f);
        float* mean = c.Mean + (long)j * kp;
        float* h = c.HalfPrecision + (long)j * kp;
        for (int o = 0; o < kp; o += w)
            acc = TOps.Add(acc, TOps.Multiply(TOps.Load(coef + o), TOps.Multiply(TOps.Load(h + o), TOps.Subtract(z, TOps.Load(mean + o)))));
        return TOps.Sum(acc);
    }

    /// <summary>
    /// Adds one row's gradients, weighted by coef[k] (its responsibilities times their cotangents), into the
    /// [d][KPadded] accumulators: grad_mean_kj += 2 c_k h_kj t_kj and grad_logvar_kj += c_k (h_kj t_kj² − ½)
    /// with t = z − μ; writes ∂/∂z_j = −2 Σ_k c_k h_kj t_kj into dz[j].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRowGradients(MixtureLayout c, float* zn, float* coef, float* gradMean, float* gradLogVar, float* dz)
    {
        int kp = c.KPadded, w = TOps.Count;
        var half = TOps.Splat(0.5f);
        for (int j = 0; j < c.D; j++)
        {
            var zj = TOps.Splat(zn[j]);
            var acc = TOps.Splat(0f);
            float* gm = gradMean + (long)j * kp;
            float* gl = gradLogVar + (long)j * kp;
            float* mean = c.Mean + (long)j * kp;
            float* h = c.HalfPrecision + (long)j * kp;
            for (int o = 0; o < kp; o += w)
            {
                var t = TOps.Subtract(zj, TOps.Load(mean + o));
                var ht = TOps.Multiply(TOps.Load(h + o), t);
                var wv = TOps.Load(coef + o);
                var wht = TOps.Multiply(wv, ht);
                acc = TOps.Add(acc, wht);
                TOps.Store(gm + o, TOps.Add(TOps.Load(gm + o), TOps.Add(wht, wht)));
                TOps.Store(gl + o, TOps.MultiplyAdd(wv, TOps.Subtract(TOps.Multiply(ht, t), half), TOps.Load(gl + o)));
            }
            dz[j] = -2.0f * TOps.Sum(acc);
        }
    }

    /// <summary>
    /// lse[n] = log Σ_k exp(a_nk) for rows [begin, end). When <paramref name="usageSum"/> is not null, adds
    /// r_nk = exp(a_nk − lse_n) into usageSum[0..KPadded). A row with a non-finite coordinate (or a non-finite
    /// mixture) gives NaN, and NaN usage.
    /// </summary>
    public static void Forward(MixtureLayout c, float* z, long begin, long end, float* lse, float* usageSum)
    {
        int kp = c.KPadded, d = c.D, w = TOps.Count;
        Span<float> buffer = kp <= StackFloats ? stackalloc float[kp] : new float[kp];
        fixed (float* a = buffer)
        {
            for (long n = begin; n < end; n++)
            {
                float* zn = z + n * d;
                if (!c.Finite || !RowFinite(zn, d))
                {
                    lse[n] = float.NaN;
                    if (usageSum != null) new Span<float>(usageSum, kp).Fill(float.NaN);
                    continue;
                }
                float m = TOps.MaxAcross(RowTerms(c, zn, a));
                var vm = TOps.Splat(m);
                var s = TOps.Splat(0f);
                for (int o = 0; o < kp; o += w)
                {
                    var e = Exp(TOps.Subtract(TOps.Load(a + o), vm));
                    TOps.Store(a + o, e);
                    s = TOps.Add(s, e);
                }
                float total = TOps.Sum(s);
                lse[n] = m + MathF.Log(total);
                if (usageSum != null)
                {
                    var inv = TOps.Splat(1.0f / total);
                    for (int o = 0; o < kp; o += w)
                        TOps.Store(usageSum + o, TOps.MultiplyAdd(TOps.Load(a + o), inv, TOps.Load(usageSum + o)));
                }
            }
        }
    }

    /// <summary>
    /// Gradients for rows [begin, end) given gLse[n] (may be null: zero) and gUsage[k] (may be null), the
    /// cotangent of the SUM of responsibilities over rows. With r_nk = exp(a_nk − lse_n) the cotangent of
    /// a_nk is c_nk = r_nk (g_n + gUsage_k − Σ_k' gUsage_k' r_nk'). Writes gradZ rows (may be null) and ADDS
    /// into the padded accumulators gradMean, gradLogVar ([d][KPadded]) and gradBias ([KPadded]); the three
    /// accumulators are either all present or all null (then gradZ must be present).
    /// </summary>
    public static void Backward(MixtureLayout c, float* z, float* lse, long begin, long end, float* gLse, float* gUsage,
        float* gradZ, float* gradMean, float* gradLogVar, float* gradBias)
    {
        int kp = c.KPadded, d = c.D, w = TOps.Count;
        Span<float> buffer = kp + d <= StackFloats ? stackalloc float[kp + d] : new float[kp + d];
        fixed (float* a = buffer)
        {
            float* dzUnused = a + kp;
            for (long n = begin; n < end; n++)
            {
                float* zn = z + n * d;
                float g = gLse != null ? gLse[n] : 0f;
                if (!c.Finite || !RowFinite(zn, d) || !float.IsFinite(lse[n]))
                {
                    // A non-finite row poisons every gradient it touches, as the unfused computation would.
                    if (gradZ != null) new Span<float>(gradZ + n * d, d).Fill(float.NaN);
                    if (gradBias != null) new Span<float>(gradBias, kp).Fill(float.NaN);
                    if (gradMean != null)
                    {
                        new Span<float>(gradMean, d * kp).Fill(float.NaN);
                        new Span<float>(gradLogVar, d * kp).Fill(float.NaN);
                    }
                    continue;
                }
                RowTerms(c, zn, a);
                var vl = TOps.Splat(lse[n]);
                var ubar = TOps.Splat(0f);
                for (int o = 0; o < kp; o += w)
                {
                    var r = Exp(TOps.Subtract(TOps.Load(a + o), vl));   // responsibilities r_nk
                    TOps.Store(a + o, r);
                    if (gUsage != null) ubar = TOps.MultiplyAdd(r, TOps.Load(gUsage + o), ubar);
                }
                float u = gUsage != null ? TOps.Sum(ubar) : 0f;
                var gu = TOps.Splat(g - u);
                for (int o = 0; o < kp; o += w)
                {
                    var r = TOps.Load(a + o);
                    var coef = gUsage != null ? TOps.Multiply(r, TOps.Add(gu, TOps.Load(gUsage + o))) : TOps.Multiply(r, gu);
                    TOps.Store(a + o, coef);
                    if (gradBias != null) TOps.Store(gradBias + o, TOps.Add(TOps.Load(gradBias + o), coef));
                }
                if (gradMean == null)
                {
                    // Only the latents' gradient (a stop-gradient prior): skip the component accumulators.
                    for (int j = 0; j < d; j++)
                    {
                        gradZ[n * d + j] = -2.0f * LatentGradientSum(c, zn[j], a, j);
                    }
                    continue;
                }
                AddRowGradients(c, zn, a, gradMean, gradLogVar, gradZ != null ? gradZ + n * d : dzUnused);
            }
        }
    }

    /// <summary>
    /// Smallest shifted total the one-sweep path accepts: at or above it, the row's largest term lies within
    /// 30 + ln(KPadded) nats of the shift, so every term within 23 nats of the largest stays above
    /// <see cref="SimdMath.Negligible"/> — all terms that can move a float result are kept, as in the two-pass path.
    /// Below it (a sample far from every component) the exact two-pass path runs instead.
    /// </summary>
    private static readonly float ShiftedMinTotal = MathF.Exp(-30f);

    /// <summary>
    /// For d = 2, in one sweep over the components: e_k = exp(a_k − max_k bias_k) (stored into <paramref name="e"/>
    /// when <paramref name="storeExp"/>), returning Σ_k e_k, with s_j = Σ_k e_k h_kj (z_j − μ_kj). The shift is an
    /// upper bound of every a_k (the quadratic part is never negative), so no row maximum (a horizontal reduction
    /// and a second pass over a stored row) is needed; the caller falls back to the two-pass path when the total is
    /// too small for the shift to be safe (<see cref="ShiftedMinTotal"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float ShiftedSweepD2(MixtureLayout c, float* z, float* e, bool storeExp, out float s0, out float s1)
    {
        int kp = c.KPadded, w = TOps.Count;
        var z0 = TOps.Splat(z[0]);
        var z1 = TOps.Splat(z[1]);
        var s = TOps.Splat(0f);
        var acc0 = TOps.Splat(0f);
        var acc1 = TOps.Splat(0f);
        for (int o = 0; o < kp; o += w)
        {
            // With the negated precisions and the pre-shifted bias, the term is two fused multiply-adds.
            var t0 = TOps.Subtract(z0, TOps.Load(c.Mean + o));
            var nht0 = TOps.Multiply(TOps.Load(c.NegHalfPrecision + o), t0);
            var t1 = TOps.Subtract(z1, TOps.Load(c.Mean + kp + o));
            var nht1 = TOps.Multiply(TOps.Load(c.NegHalfPrecision + kp + o), t1);
            var a = TOps.MultiplyAdd(nht0, t0, TOps.MultiplyAdd(nht1, t1, TOps.Load(c.ShiftedBias + o)));
            var ek = Exp(a);
            if (storeExp) TOps.Store(e + o, ek);
            s = TOps.Add(s, ek);
            acc0 = TOps.MultiplyAdd(ek, nht0, acc0);
            acc1 = TOps.MultiplyAdd(ek, nht1, acc1);
        }
        s0 = -TOps.Sum(acc0);
        s1 = -TOps.Sum(acc1);
        return TOps.Sum(s);
    }

    /// <summary>
    /// <see cref="ShiftedSweepD2"/> (latent gradient only) for two samples at once: each component block's means,
    /// precisions and biases are loaded once for both, and the two samples' independent chains fill the
    /// pipeline. Used where the vector registers can hold both samples' state: with AVX-512 the JIT has 32 vector
    /// registers at every width (with 16, as on AVX2-only CPUs, the state spills and the pair runs slower).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ShiftedSweepD2Pair(MixtureLayout c, float* za, float* zb, out float totalA, out float a0, out float a1,
        out float totalB, out float b0, out float b1)
    {
        int kp = c.KPadded, w = TOps.Count;
        var za0 = TOps.Splat(za[0]);
        var za1 = TOps.Splat(za[1]);
        var zb0 = TOps.Splat(zb[0]);
        var zb1 = TOps.Splat(zb[1]);
        var sa = TOps.Splat(0f);
        var sb = TOps.Splat(0f);
        var acca0 = TOps.Splat(0f);
        var acca1 = TOps.Splat(0f);
        var accb0 = TOps.Splat(0f);
        var accb1 = TOps.Splat(0f);
        for (int o = 0; o < kp; o += w)
        {
            var mu0 = TOps.Load(c.Mean + o);
            var mu1 = TOps.Load(c.Mean + kp + o);
            var nh0 = TOps.Load(c.NegHalfPrecision + o);
            var nh1 = TOps.Load(c.NegHalfPrecision + kp + o);
            var bias = TOps.Load(c.ShiftedBias + o);
            var ta0 = TOps.Subtract(za0, mu0);
            var na0 = TOps.Multiply(nh0, ta0);
            var ta1 = TOps.Subtract(za1, mu1);
            var na1 = TOps.Multiply(nh1, ta1);
            var tb0 = TOps.Subtract(zb0, mu0);
            var nb0 = TOps.Multiply(nh0, tb0);
            var tb1 = TOps.Subtract(zb1, mu1);
            var nb1 = TOps.Multiply(nh1, tb1);
            var ea = Exp(TOps.MultiplyAdd(na0, ta0, TOps.MultiplyAdd(na1, ta1, bias)));
            var eb = Exp(TOps.MultiplyAdd(nb0, tb0, TOps.MultiplyAdd(nb1, tb1, bias)));
            sa = TOps.Add(sa, ea);
            sb = TOps.Add(sb, eb);
            acca0 = TOps.MultiplyAdd(ea, na0, acca0);
            acca1 = TOps.MultiplyAdd(ea, na1, acca1);
            accb0 = TOps.MultiplyAdd(eb, nb0, accb0);
            accb1 = TOps.MultiplyAdd(eb, nb1, accb1);
        }
        totalA = TOps.Sum(sa);
        a0 = -TOps.Sum(acca0);
        a1 = -TOps.Sum(acca1);
        totalB = TOps.Sum(sb);
        b0 = -TOps.Sum(accb0);
        b1 = -TOps.Sum(accb1);
    }

    /// <summary>
    /// <see cref="AddRowGradients"/> for d = 2 fused with forming the responsibilities r = e·inv from the
    /// exponentials in <paramref name="e"/> and adding them into the bias accumulator: one sweep instead of three.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PriorSweepD2(MixtureLayout c, float* z, float* e, TVec inv, float* gm, float* gl, float* gb, float* dz)
    {
        int kp = c.KPadded, w = TOps.Count;
        var z0 = TOps.Splat(z[0]);
        var z1 = TOps.Splat(z[1]);
        var half = TOps.Splat(0.5f);
        var acc0 = TOps.Splat(0f);
        var acc1 = TOps.Splat(0f);
        for (int o = 0; o < kp; o += w)
        {
            var r = TOps.Multiply(TOps.Load(e + o), inv);
            TOps.Store(gb + o, TOps.Add(TOps.Load(gb + o), r));
            var t = TOps.Subtract(z0, TOps.Load(c.Mean + o));
            var ht = TOps.Multiply(TOps.Load(c.HalfPrecision + o), t);
            var rht = TOps.Multiply(r, ht);
            acc0 = TOps.Add(acc0, rht);
            TOps.Store(gm + o, TOps.Add(TOps.Load(gm + o), TOps.Add(rht, rht)));
            TOps.Store(gl + o, TOps.MultiplyAdd(r, TOps.Subtract(TOps.Multiply(ht, t), half), TOps.Load(gl + o)));
            t = TOps.Subtract(z1, TOps.Load(c.Mean + kp + o));
            ht = TOps.Multiply(TOps.Load(c.HalfPrecision + kp + o), t);
            rht = TOps.Multiply(r, ht);
            acc1 = TOps.Add(acc1, rht);
            TOps.Store(gm + kp + o, TOps.Add(TOps.Load(gm + kp + o), TOps.Add(rht, rht)));
            TOps.Store(gl + kp + o, TOps.MultiplyAdd(r, TOps.Subtract(TOps.Multiply(ht, t), half), TOps.Load(gl + kp + o)));
        }
        dz[0] = -2.0f * TOps.Sum(acc0);
        dz[1] = -2.0f * TOps.Sum(acc1);
    }

    /// <summary>
    /// Adds one sample's log-sum-exp (as its shift <paramref name="mx"/> and shifted total) and, when
    /// <paramref name="wantPost"/>, its latent gradient <paramref name="dz"/> into the posterior's running sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddSample(float mx, float total, float* dz, float* eps, int d, bool wantPost,
        ref double maxSum, ref double product, ref long exponent, Span<double> gMean, Span<double> gEps)
    {
        maxSum += mx;
        product *= total;
        if (product > ProductLimit || product < 1.0 / ProductLimit)
        {
            int e2 = Math.ILogB(product) + 1;
            product = Math.ScaleB(product, -e2);
            exponent += e2;
        }
        if (!wantPost) return;
        for (int j = 0; j < d; j++)
        {
            gMean[j] += dz[j];
            gEps[j] += (double)dz[j] * eps[j];
        }
    }

    /// <summary>
    /// mean_lse[b] = (1/M) Σ_m lse(z_mb), z_mb = μ_b + σ_b ⊙ ε_mb, for the posteriors [begin, end), and with
    /// it the gradients of mean_lse[b] alone. Every sample of b reaches a loss only through mean_lse[b], so
    /// the backward pass is these gradients times the cotangent of mean_lse[b]: one pass over the B·M·K terms
    /// instead of a forward pass and a backward pass that recomputes them.
    /// </summary>
    public static void MonteCarloPass(MixtureLayout c, in MonteCarloRows rows, long begin, long end, float* meanLse, in MonteCarloGradients grads)
    {
        int kp = c.KPadded, d = c.D, w = TOps.Count;
        long samples = rows.Samples;
        int priorLen = (2 * d + 1) * kp;
        bool wantPrior = grads.Prior != null, wantPost = grads.Post != null;
        bool postOnly = wantPost && !wantPrior;
        // The sample's terms and this posterior's prior gradients side by side: one small block that stays in L1.
        int workLen = kp + (wantPrior ? priorLen : 0) + 3 * d;
        Span<float> workSpan = workLen <= StackFloats ? stackalloc float[workLen] : new float[workLen];
        Span<double> gMean = d <= 256 ? stackalloc double[d] : new double[d];
        Span<double> gEps = d <= 256 ? stackalloc double[d] : new double[d];
        double invM = 1.0 / samples;
        // The one-sweep 2-D path needs the exponentials' sum only (latent gradient) or stores them (prior gradient).
        bool shifted = d == 2 && c.Finite && float.IsFinite(c.MaxBias);
        // Two samples per sweep where both samples' vector state fits the registers (see ShiftedSweepD2Pair).
        bool pairs = shifted && postOnly && FusedKernelSupport.PairedSweepsActive;
        fixed (float* work = workSpan)
        {
            float* a = work;
            float* gp = wantPrior ? work + kp : null;
            float* gm = gp;                                  // [d][kp]
            float* gl = gp != null ? gp + (long)d * kp : null;
            float* gb = gp != null ? gp + 2L * d * kp : null;
            float* z = work + kp + (wantPrior ? priorLen : 0);
            float* dz = z + d;
            float* z2 = dz + d;
            for (long b = begin; b < end; b++)
            {
                float* mu = rows.PostMean + b * d;
                float* sd = rows.PostStd + b * d;
                if (gp != null) new Span<float>(gp, priorLen).Clear();
                gMean.Clear();
                gEps.Clear();
                // Σ_m lse = Σ_m max_m + log Π_m total_m: one log per posterior instead of one per sample. The
                // product is kept as mantissa × 2^exponent (each total lies in [1, kp], so it only grows).
                double maxSum = 0.0, product = 1.0;
                long exponent = 0;
                bool finite = c.Finite;
                for (long m = 0; m < samples && finite; m++)
                {
                    float* eps = rows.Noise + m * rows.SampleStride + b * rows.RowStride;
                    if (pairs && m + 1 < samples)
                    {
                        // Two samples per sweep (the common case); a pair with a sample that needs the exact
                        // path, or a non-finite one, falls through to the one-sample code below.
                        float* eps2 = eps + rows.SampleStride;
                        z[0] = mu[0] + sd[0] * eps[0];
                        z[1] = mu[1] + sd[1] * eps[1];
                        z2[0] = mu[0] + sd[0] * eps2[0];
                        z2[1] = mu[1] + sd[1] * eps2[1];
                        if (RowFinite(z, 2) && RowFinite(z2, 2))
                        {
                            ShiftedSweepD2Pair(c, z, z2, out float ta, out float a0, out float a1, out float tb, out float b0, out float b1);
                            if (ta >= ShiftedMinTotal && tb >= ShiftedMinTotal)
                            {
                                dz[0] = -2.0f * a0 / ta;
                                dz[1] = -2.0f * a1 / ta;
                                AddSample(c.MaxBias, ta, dz, eps, 2, true, ref maxSum, ref product, ref exponent, gMean, gEps);
                                dz[0] = -2.0f * b0 / tb;
                                dz[1] = -2.0f * b1 / tb;
                                AddSample(c.MaxBias, tb, dz, eps2, 2, true, ref maxSum, ref product, ref exponent, gMean, gEps);
                                m++;
                                continue;
                            }
                        }
                    }
                    for (int j = 0; j < d; j++) z[j] = mu[j] + sd[j] * eps[j];
                    if (!RowFinite(z, d)) { finite = false; break; }
                    float mx, total;
                    if (shifted && (total = ShiftedSweepD2(c, z, a, storeExp: gp != null, out float s0, out float s1)) >= ShiftedMinTotal)
                    {
                        // One sweep did the terms and their exponentials, shifted by max_k bias_k (see ShiftedSweepD2).
                        mx = c.MaxBias;
                        if (gp != null) PriorSweepD2(c, z, a, TOps.Splat(1.0f / total), gm, gl, gb, dz);
                        else
                        {
                            dz[0] = -2.0f * s0 / total;
                            dz[1] = -2.0f * s1 / total;
                        }
                    }
                    else
                    {
                        mx = TOps.MaxAcross(RowTerms(c, z, a));
                        var vmx = TOps.Splat(mx);
                        var s = TOps.Splat(0f);
                        if (postOnly && d == 2)
                        {
                            // The common 2-D case in one sweep: exponentials and the latent gradient's sums together.
                            var z0 = TOps.Splat(z[0]);
                            var z1 = TOps.Splat(z[1]);
                            var acc0 = TOps.Splat(0f);
                            var acc1 = TOps.Splat(0f);
                            for (int o = 0; o < kp; o += w)
                            {
                                var e = Exp(TOps.Subtract(TOps.Load(a + o), vmx));
                                s = TOps.Add(s, e);
                                acc0 = TOps.MultiplyAdd(e, TOps.Multiply(TOps.Load(c.HalfPrecision + o), TOps.Subtract(z0, TOps.Load(c.Mean + o))), acc0);
                                acc1 = TOps.MultiplyAdd(e, TOps.Multiply(TOps.Load(c.HalfPrecision + kp + o), TOps.Subtract(z1, TOps.Load(c.Mean + kp + o))), acc1);
                            }
                            total = TOps.Sum(s);
                            dz[0] = -2.0f * TOps.Sum(acc0) / total;
                            dz[1] = -2.0f * TOps.Sum(acc1) / total;
                        }
                        else
                        {
                            for (int o = 0; o < kp; o += w)
                            {
                                var e = Exp(TOps.Subtract(TOps.Load(a + o), vmx));
                                TOps.Store(a + o, e);
                                s = TOps.Add(s, e);
                            }
                            total = TOps.Sum(s);
                            if (wantPost || wantPrior)
                            {
                                // Responsibilities r_k = e_k / total; ∂lse/∂z_j = −2 Σ_k r_k h_kj (z_j − μ_kj).
                                var inv = TOps.Splat(1.0f / total);
                                if (gp != null && d == 2)
                                {
                                    // The 2-D prior gradient in one sweep over the responsibilities.
                                    PriorSweepD2(c, z, a, inv, gm, gl, gb, dz);
                                }
                                else if (gp != null)
                                {
                                    for (int o = 0; o < kp; o += w)
                                    {
                                        var r = TOps.Multiply(TOps.Load(a + o), inv);
                                        TOps.Store(a + o, r);
                                        TOps.Store(gb + o, TOps.Add(TOps.Load(gb + o), r));
                                    }
                                    AddRowGradients(c, z, a, gm, gl, dz);
                                }
                                else
                                {
                                    for (int j = 0; j < d; j++)
                                        dz[j] = -2.0f * LatentGradientSum(c, z[j], a, j) / total;
                                }
                            }
                        }
                    }
                    AddSample(mx, total, dz, eps, d, wantPost, ref maxSum, ref product, ref exponent, gMean, gEps);
                }
                if (!finite)
                {
                    // A non-finite sample (or mixture) poisons this posterior's value and every gradient it reaches.
                    meanLse[b] = float.NaN;
                    if (wantPost) new Span<float>(grads.Post + b * 2 * d, 2 * d).Fill(float.NaN);
                    if (wantPrior) new Span<float>(grads.Prior + b * priorLen, priorLen).Fill(float.NaN);
                    continue;
                }
                meanLse[b] = (float)((maxSum + Math.Log(product) + exponent * 0.69314718055994530942) * invM);
                if (wantPost)
                {
                    for (int j = 0; j < d; j++)
                    {
                        // z = μ + e^{lv/2} ε: ∂z/∂μ = 1, ∂z/∂lv = σ ε / 2.
                        grads.Post[b * 2 * d + j] = (float)(gMean[j] * invM);
                        grads.Post[b * 2 * d + d + j] = (float)(gEps[j] * invM * 0.5 * sd[j]);
                    }
                }
                if (wantPrior)
                {
                    var scale = TOps.Splat((float)invM);
                    float* outPrior = grads.Prior + b * priorLen;
                    for (int i = 0; i < priorLen; i += w) TOps.Store(outPrior + i, TOps.Multiply(TOps.Load(gp + i), scale));
                }
            }
        }
    }
}

/// <summary>The Monte-Carlo samples z_mb = μ_b + σ_b ⊙ ε_mb of diagonal Gaussian posteriors b.</summary>
internal readonly unsafe struct MonteCarloRows
{
    /// <summary>Posterior means [B][d].</summary>
    public float* PostMean { get; init; }

    /// <summary>Posterior standard deviations [B][d].</summary>
    public float* PostStd { get; init; }

    /// <summary>ε_mb at Noise[m·SampleStride + b·RowStride].</summary>
    public float* Noise { get; init; }

    /// <summary>M.</summary>
    public long Samples { get; init; }

    public long SampleStride { get; init; }

    /// <summary>0 when every posterior shares the noise.</summary>
    public long RowStride { get; init; }
}

/// <summary>Per-posterior gradients kept by <see cref="MixtureKernel{TVec, TOps}.MonteCarloPass"/>, each already divided by M.</summary>
internal readonly unsafe struct MonteCarloGradients
{
    /// <summary>[B][2d]: ∂mean_lse_b/∂μ_bj, then ∂mean_lse_b/∂lv_bj; null: not needed.</summary>
    public float* Post { get; init; }

    /// <summary>[B][(2d+1)·KPadded]: ∂/∂μ_kj and ∂/∂lv_kj ([d][KPadded] each), then ∂/∂bias_k; null: not needed.</summary>
    public float* Prior { get; init; }
}
