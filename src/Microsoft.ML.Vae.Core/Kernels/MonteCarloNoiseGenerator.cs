using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Kernels;

/// <summary>
/// Standard-normal noise for Monte-Carlo estimates, drawn several times faster than <c>torch.randn</c> on the
/// CPU. A counter-based generator: the pair of normals at pair index p of a draw is a pure function of
/// (seed, p), so any thread count, any split of the work and any vector width give the same numbers. The
/// seed of each draw is one int64 drawn from torch's default CPU generator (<c>torch.randint</c>), so
/// <c>torch.manual_seed</c> governs it like any other random op.
/// </summary>
/// <remarks>
/// Pair p: h = SplitMix64's output function applied to seed + (p + 1)·γ (the SplitMix64 sequence of that
/// seed, which passes BigCrush), then Box–Muller on bits of h: 24 bits give u ∈ (0, 1] for the radius
/// √(−2 ln u), 2 bits pick the quadrant of the angle and 22 bits its position inside it. The radius is at
/// most √(−2 ln 2^−25) ≈ 5.9, so tails beyond 5.9σ (probability 4e−9) are cut, as with any 24-bit uniform.
/// The pairs come in groups of 16: the group's 16 first values, then its 16 second values.
/// </remarks>
internal static unsafe class MonteCarloNoiseGenerator
{
    /// <summary>Pairs per group (the widest vector): a group stores its 16 first values, then its 16 second values.</summary>
    private const int Group = 16;

    /// <summary>Pairs per work item.</summary>
    private const long ChunkPairs = 4096;

    /// <summary>Batch rows per work item of the squared norms.</summary>
    private const long NormRows = 256;

    private const ulong Gamma = 0x9E3779B97F4A7C15UL;

    // Rotation of (cos t, sin t) by quadrant·π/2: x = c·A[q] + s·B[q], y = s·A[q] − c·B[q], giving
    // (c, s), (−s, c), (−c, −s), (s, −c).
    private static ReadOnlySpan<float> RotateA => [1f, 0f, -1f, 0f];
    private static ReadOnlySpan<float> RotateB => [0f, -1f, 0f, 1f];

    /// <summary>
    /// Noise [sets, samples, batch, dim] and the mean over samples of each noise vector's squared norm,
    /// (1/M) Σ_m Σ_j ε², [sets, batch]; both float32 on the CPU.
    /// </summary>
    public static (Tensor Noise, Tensor MeanSquaredNorm) Draw(long sets, long samples, long batch, long dim)
    {
        long total = checked(sets * samples * batch * dim);
        ulong seed = SeedFromTorch();
        long pairs = (total + 1) / 2;
        long groups = FusedKernelSupport.BlockCount(pairs, Group);
        int bits = FusedKernelSupport.VectorBits;
        using var scope = torch.NewDisposeScope();
        // Whole groups: up to 31 spare floats after the last value.
        var buffer = torch.empty(new[] { groups * 2 * Group }, ScalarType.Float32);
        nint data = (nint)FusedKernelSupport.FloatPointer(buffer);
        long groupsPerChunk = ChunkPairs / Group;
        FusedKernelSupport.ForEachBlock(FusedKernelSupport.BlockCount(groups, groupsPerChunk), chunk =>
        {
            long first = chunk * groupsPerChunk, count = Math.Min(groupsPerChunk, groups - first);
            FillGroups(bits, seed, first, count, (float*)data + first * 2 * Group);
        });
        var noise = buffer.narrow(0, 0, total).view(new[] { sets, samples, batch, dim });
        var norms = torch.empty(new[] { sets, batch }, ScalarType.Float32);
        nint np = (nint)FusedKernelSupport.FloatPointer(norms);
        long rowBlocks = FusedKernelSupport.BlockCount(batch, NormRows);
        // (1/M) Σ_m Σ_j ε² for every set and batch row: the noise's half of log q in a Monte-Carlo KL. Each
        // output is summed by one work item in a fixed order.
        FusedKernelSupport.ForEachBlock(sets * rowBlocks, item =>
        {
            long s = item / rowBlocks, begin = item % rowBlocks * NormRows, end = Math.Min(batch, begin + NormRows);
            float* x = (float*)data;
            float* outp = (float*)np;
            Span<double> acc = stackalloc double[(int)NormRows];
            acc.Clear();
            for (long m = 0; m < samples; m++)
            {
                float* row = x + (s * samples + m) * batch * dim;
                for (long b = begin; b < end; b++)
                {
                    double sq = 0;
                    for (long j = 0; j < dim; j++)
                    {
                        double v = row[b * dim + j];
                        sq += v * v;
                    }
                    acc[(int)(b - begin)] += sq;
                }
            }
            for (long b = begin; b < end; b++) outp[s * batch + b] = (float)(acc[(int)(b - begin)] / samples);
        });
        return (noise.MoveToOuterDisposeScope(), norms.MoveToOuterDisposeScope());
    }

    /// <summary>One int64 from torch's default CPU generator.</summary>
    private static ulong SeedFromTorch()
    {
        using var draw = torch.randint(long.MinValue, long.MaxValue, new long[] { 1 }, ScalarType.Int64);
        return unchecked((ulong)draw.item<long>());
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong SplitMix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static void FillGroups(int bits, ulong seed, long firstGroup, long count, float* output)
    {
        switch (bits)
        {
            case 512: FillGroups<Vector512<float>, V512>(seed, firstGroup, count, output); break;
            case 256: FillGroups<Vector256<float>, V256>(seed, firstGroup, count, output); break;
            default: FillGroups<Vector128<float>, V128>(seed, firstGroup, count, output); break;
        }
    }

    /// <summary>Normals for the groups [firstGroup, firstGroup + count) into output (32 floats per group).</summary>
    private static void FillGroups<TVec, TOps>(ulong seed, long firstGroup, long count, float* output)
        where TVec : struct where TOps : struct, ISimdOps<TVec>
    {
        const float HalfPi = 1.57079632679489662f;
        float* u = stackalloc float[Group];
        float* t = stackalloc float[Group];
        float* ra = stackalloc float[Group];
        float* rb = stackalloc float[Group];
        int w = TOps.Count;
        for (long g = 0; g < count; g++)
        {
            long firstPair = (firstGroup + g) * Group;
            for (int l = 0; l < Group; l++)
            {
                ulong h = SplitMix(unchecked((ulong)(firstPair + l + 1) * Gamma + seed));
                // u ∈ (0, 1] from the top 24 bits; the angle inside its quadrant, t ∈ [−π/4, π/4), from the low
                // 22 bits; the quadrant from the 2 bits above them.
                uint hi = (uint)(h >> 40), lo = (uint)(h & 0xFFFFFFUL);
                u[l] = ((int)hi + 0.5f) * (1.0f / 16777216);
                t[l] = (((int)(lo & 0x3FFFFFu) + 0.5f) * (1.0f / 4194304) - 0.5f) * HalfPi;
                int quadrant = (int)(lo >> 22);
                ra[l] = RotateA[quadrant];
                rb[l] = RotateB[quadrant];
            }
            float* outX = output + g * 2 * Group;
            float* outY = outX + Group;
            for (int l = 0; l < Group; l += w)
            {
                var radius = TOps.Sqrt(TOps.Multiply(TOps.Splat(-2.0f), SimdMath.LogUnit<TVec, TOps>(TOps.Load(u + l))));
                var tv = TOps.Load(t + l);
                // sin and cos on [−π/4, π/4] (Cephes sinf/cosf polynomials).
                var t2 = TOps.Multiply(tv, tv);
                var sp = TOps.MultiplyAdd(TOps.Splat(-1.9515295891e-4f), t2, TOps.Splat(8.3321608736e-3f));
                sp = TOps.MultiplyAdd(sp, t2, TOps.Splat(-1.6666654611e-1f));
                var s = TOps.MultiplyAdd(TOps.Multiply(tv, t2), sp, tv);
                var cp = TOps.MultiplyAdd(TOps.Splat(2.443315711809948e-5f), t2, TOps.Splat(-1.388731625493765e-3f));
                cp = TOps.MultiplyAdd(cp, t2, TOps.Splat(4.166664568298827e-2f));
                var c = TOps.MultiplyAdd(TOps.Multiply(t2, t2), cp, TOps.MultiplyAdd(TOps.Splat(-0.5f), t2, TOps.Splat(1.0f)));
                var a = TOps.Load(ra + l);
                var b = TOps.Load(rb + l);
                // Products with 0 and ±1 are exact, so the rotation adds no rounding.
                var x = TOps.MultiplyAdd(c, a, TOps.Multiply(s, b));
                var y = TOps.Subtract(TOps.Multiply(s, a), TOps.Multiply(c, b));
                TOps.Store(outX + l, TOps.Multiply(x, radius));
                TOps.Store(outY + l, TOps.Multiply(y, radius));
            }
        }
    }
}
