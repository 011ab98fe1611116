using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Kernels;

/// <summary>
/// Whole-tensor passes of the fused mixture kernels: they lay out the mixture, split the rows into blocks,
/// run <see cref="MixtureKernel{TVec, TOps}"/> at the picked vector width on the blocks in parallel and add
/// the per-block partial sums in block order (results independent of the thread count). Every tensor
/// taken here is a contiguous float32 CPU tensor; every tensor returned is a new one.
/// </summary>
internal static unsafe class MixtureComputation
{
    /// <summary>The padded kernel layout of means [K, d], log-variances [K, d] and log-weights [K] (any layout).</summary>
    public static MixtureLayout Prepare(Tensor means, Tensor logVars, Tensor logWeights)
    {
        using var m = means.contiguous();
        using var lv = logVars.contiguous();
        using var lw = logWeights.contiguous();
        return MixtureLayout.Prepare(FusedKernelSupport.FloatPointer(m), FusedKernelSupport.FloatPointer(lv),
            FusedKernelSupport.FloatPointer(lw), (int)means.size(0), (int)means.size(1));
    }

    /// <summary>
    /// Row log-densities [N] of latents z [N, d] (contiguous) and, with usage, the mean responsibilities [K]
    /// (NaN for N = 0).
    /// </summary>
    public static (Tensor Lse, Tensor? Usage) Forward(Tensor z, MixtureLayout c, bool withUsage)
    {
        long n = z.size(0), blocks = FusedKernelSupport.BlockCount(n, FusedKernelSupport.BlockRows);
        int kp = c.KPadded, bits = FusedKernelSupport.VectorBits;
        var lse = torch.empty(new[] { n }, ScalarType.Float32);
        var partial = withUsage ? new float[blocks * kp] : null;
        nint zp = (nint)FusedKernelSupport.FloatPointer(z), lp = (nint)FusedKernelSupport.FloatPointer(lse);
        FusedKernelSupport.ForEachBlock(blocks, block =>
        {
            long begin = block * FusedKernelSupport.BlockRows, end = Math.Min(n, begin + FusedKernelSupport.BlockRows);
            fixed (float* pp = partial)
                RowsForward(bits, c, (float*)zp, begin, end, (float*)lp, pp == null ? null : pp + block * kp);
        });
        if (!withUsage) return (lse, null);
        var total = FusedKernelSupport.SumBlocks(partial!, blocks, kp);
        var usage = torch.empty(new long[] { c.K }, ScalarType.Float32);
        float* up = FusedKernelSupport.FloatPointer(usage);
        for (int i = 0; i < c.K; i++) up[i] = n > 0 ? (float)(total[i] / n) : float.NaN;
        return (lse, usage);
    }

    /// <summary>
    /// Gradients of Σ_n gLse[n]·lse[n] + Σ_k gUsage[k]·usage[k] (usage = mean responsibilities over the N
    /// rows) with respect to z [N, d] (when <paramref name="needZ"/>) and the means, log-variances and
    /// log-weights (when <paramref name="needParams"/>); null where not asked for.
    /// </summary>
    public static (Tensor? Z, Tensor? Means, Tensor? LogVars, Tensor? LogWeights) Backward(Tensor z, MixtureLayout c, Tensor lse,
        Tensor? gLse, Tensor? gUsage, bool needZ, bool needParams)
    {
        long n = z.size(0), blocks = FusedKernelSupport.BlockCount(n, FusedKernelSupport.BlockRows);
        int d = c.D, kp = c.KPadded, bits = FusedKernelSupport.VectorBits;
        // The usage output is a mean over rows: its cotangent reaches each row divided by N.
        float[]? gu = null;
        if (gUsage is not null)
        {
            gu = new float[kp];
            using var guc = gUsage.contiguous();
            float* p = FusedKernelSupport.FloatPointer(guc);
            for (int i = 0; i < c.K; i++) gu[i] = p[i] / n;
        }
        var gz = needZ ? torch.empty(new[] { n, (long)d }, ScalarType.Float32) : null;
        // Per block: grad_mean [d][kp], grad_logvar [d][kp], grad_bias [kp].
        int stride = needParams ? (2 * d + 1) * kp : 0;
        var partial = needParams ? new float[blocks * stride] : null;
        using var glc = gLse?.contiguous();
        nint zp = (nint)FusedKernelSupport.FloatPointer(z), lp = (nint)FusedKernelSupport.FloatPointer(lse);
        nint gp = glc is null ? 0 : (nint)FusedKernelSupport.FloatPointer(glc);
        nint gzp = gz is null ? 0 : (nint)FusedKernelSupport.FloatPointer(gz);
        FusedKernelSupport.ForEachBlock(blocks, block =>
        {
            long begin = block * FusedKernelSupport.BlockRows, end = Math.Min(n, begin + FusedKernelSupport.BlockRows);
            fixed (float* pp = partial)
            fixed (float* gup = gu)
            {
                float* acc = pp == null ? null : pp + block * stride;
                RowsBackward(bits, c, (float*)zp, (float*)lp, begin, end, (float*)gp, gup, (float*)gzp,
                    acc, acc == null ? null : acc + (long)d * kp, acc == null ? null : acc + 2L * d * kp);
            }
        });
        if (!needParams) return (gz, null, null, null);
        var total = FusedKernelSupport.SumBlocks(partial!, blocks, stride);
        var (gm, gl, gw) = ParameterGradients(total, c);
        return (gz, gm, gl, gw);
    }

    /// <summary>
    /// The single pass of <see cref="MixtureKernel{TVec, TOps}.MonteCarloPass"/> over every posterior: mean
    /// log-densities [B], and the per-posterior gradients [B, 2d] and [B, (2d+1)·KPadded] when asked for.
    /// </summary>
    /// <param name="postMean">Posterior means [B, d], contiguous.</param>
    /// <param name="postStd">Posterior standard deviations [B, d], contiguous.</param>
    /// <param name="noise">Noise [M, B, d] or [M, 1, d], contiguous.</param>
    /// <param name="c">The mixture's parameters in the kernel's layout.</param>
    /// <param name="needPost">Whether to return the gradients with respect to the posterior's mean and std.</param>
    /// <param name="needPrior">Whether to return the gradients with respect to the mixture's parameters.</param>
    public static (Tensor MeanLse, Tensor? PostGrads, Tensor? PriorGrads) MonteCarloSinglePass(Tensor postMean, Tensor postStd, Tensor noise,
        MixtureLayout c, bool needPost, bool needPrior)
    {
        long b = postMean.size(0), m = noise.size(0);
        int d = c.D, kp = c.KPadded, bits = FusedKernelSupport.VectorBits;
        var meanLse = torch.empty(new[] { b }, ScalarType.Float32);
        var gPost = needPost ? torch.empty(new[] { b, 2L * d }, ScalarType.Float32) : null;
        var gPrior = needPrior ? torch.empty(new[] { b, (2L * d + 1) * kp }, ScalarType.Float32) : null;
        var rows = new MonteCarloRows
        {
            PostMean = FusedKernelSupport.FloatPointer(postMean),
            PostStd = FusedKernelSupport.FloatPointer(postStd),
            Noise = FusedKernelSupport.FloatPointer(noise),
            Samples = m,
            SampleStride = noise.size(1) * d,
            RowStride = noise.size(1) == 1 ? 0 : d,
        };
        var grads = new MonteCarloGradients
        {
            Post = gPost is null ? null : FusedKernelSupport.FloatPointer(gPost),
            Prior = gPrior is null ? null : FusedKernelSupport.FloatPointer(gPrior),
        };
        nint outp = (nint)FusedKernelSupport.FloatPointer(meanLse);
        // Work items of about BlockRows samples; each posterior is summed by one thread in a fixed order.
        long perBlock = Math.Max(1, FusedKernelSupport.BlockRows / m), blocks = FusedKernelSupport.BlockCount(b, perBlock);
        FusedKernelSupport.ForEachBlock(blocks, block =>
        {
            long begin = block * perBlock, end = Math.Min(b, begin + perBlock);
            MonteCarloPass(bits, c, rows, begin, end, (float*)outp, grads);
        });
        return (meanLse, gPost, gPrior);
    }

    /// <summary>
    /// Σ_b g_b · priorGrads[b] for per-posterior prior gradients [B, (2d+1)·KPadded] and cotangents g [B],
    /// summed in posterior order in double (no thread-dependent reduction), as the gradients of the means
    /// [K, d], log-variances [K, d] and log-weights [K].
    /// </summary>
    public static (Tensor Means, Tensor LogVars, Tensor LogWeights) ScalePriorGradients(Tensor priorGrads, Tensor g, MixtureLayout c)
    {
        long b = priorGrads.size(0);
        int len = (int)priorGrads.size(1);
        using var gc = g.contiguous();
        float* p = FusedKernelSupport.FloatPointer(priorGrads);
        float* gp = FusedKernelSupport.FloatPointer(gc);
        var total = new double[len];
        fixed (double* t = total)
        {
            for (long i = 0; i < b; i++)
            {
                var gi = Vector256.Create((double)gp[i]);
                float* row = p + i * len;
                int j = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    for (; j + Vector256<double>.Count <= len; j += Vector256<double>.Count)
                    {
                        var wide = Vector256.WidenLower(Vector128.Load(row + j).ToVector256Unsafe());
                        Vector256.Store(Vector256.MultiplyAddEstimate(gi, wide, Vector256.Load(t + j)), t + j);
                    }
                }
                for (; j < len; j++) t[j] += gp[i] * (double)row[j];
            }
        }
        return ParameterGradients(total, c);
    }

    /// <summary>Unpads summed [d][kp] mean, [d][kp] log-variance and [kp] bias gradients into [K, d], [K, d] and [K] tensors.</summary>
    private static (Tensor Means, Tensor LogVars, Tensor LogWeights) ParameterGradients(double[] total, MixtureLayout c)
    {
        int k = c.K, d = c.D, kp = c.KPadded;
        var gm = torch.empty(new long[] { k, d }, ScalarType.Float32);
        var gl = torch.empty(new long[] { k, d }, ScalarType.Float32);
        var gw = torch.empty(new long[] { k }, ScalarType.Float32);
        float* gmp = FusedKernelSupport.FloatPointer(gm);
        float* glp = FusedKernelSupport.FloatPointer(gl);
        float* gwp = FusedKernelSupport.FloatPointer(gw);
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < d; j++)
            {
                gmp[(long)i * d + j] = (float)total[(long)j * kp + i];
                glp[(long)i * d + j] = (float)total[(long)(d + j) * kp + i];
            }
            gwp[i] = (float)total[2L * d * kp + i];
        }
        return (gm, gl, gw);
    }

    private static void RowsForward(int bits, MixtureLayout c, float* z, long begin, long end, float* lse, float* usage)
    {
        switch (bits)
        {
            case 512: MixtureKernel<Vector512<float>, V512>.Forward(c, z, begin, end, lse, usage); break;
            case 256: MixtureKernel<Vector256<float>, V256>.Forward(c, z, begin, end, lse, usage); break;
            default: MixtureKernel<Vector128<float>, V128>.Forward(c, z, begin, end, lse, usage); break;
        }
    }

    private static void RowsBackward(int bits, MixtureLayout c, float* z, float* lse, long begin, long end, float* gLse, float* gUsage,
        float* gradZ, float* gradMean, float* gradLogVar, float* gradBias)
    {
        switch (bits)
        {
            case 512: MixtureKernel<Vector512<float>, V512>.Backward(c, z, lse, begin, end, gLse, gUsage, gradZ, gradMean, gradLogVar, gradBias); break;
            case 256: MixtureKernel<Vector256<float>, V256>.Backward(c, z, lse, begin, end, gLse, gUsage, gradZ, gradMean, gradLogVar, gradBias); break;
            default: MixtureKernel<Vector128<float>, V128>.Backward(c, z, lse, begin, end, gLse, gUsage, gradZ, gradMean, gradLogVar, gradBias); break;
        }
    }

    private static void MonteCarloPass(int bits, MixtureLayout c, in MonteCarloRows rows, long begin, long end, float* meanLse, in MonteCarloGradients grads)
    {
        switch (bits)
        {
            case 512: MixtureKernel<Vector512<float>, V512>.MonteCarloPass(c, rows, begin, end, meanLse, grads); break;
            case 256: MixtureKernel<Vector256<float>, V256>.MonteCarloPass(c, rows, begin, end, meanLse, grads); break;
            default: MixtureKernel<Vector128<float>, V128>.MonteCarloPass(c, rows, begin, end, meanLse, grads); break;
        }
    }
}
