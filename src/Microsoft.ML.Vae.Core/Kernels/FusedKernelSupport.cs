using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Kernels;

/// <summary>
/// What the fused kernels run on and how: which tensors they take (float32 CPU), the vector width picked
/// for this machine, raw access to a tensor's memory, and the thread-count-invariant block scheduling.
/// </summary>
internal static unsafe class FusedKernelSupport
{
    /// <summary>
    /// Rows (samples) per work item. Partial sums are kept per block and added in block order, so results
    /// do not depend on the number of threads.
    /// </summary>
    public const int BlockRows = 1024;

    private static int _forcedVectorBits;

    /// <summary>
    /// Whether the 2-D Monte-Carlo posterior-gradient pass may take two samples per sweep where the CPU has
    /// AVX-512 (32 vector registers); same arithmetic, bit-identical results. Tests and benchmarks switch it
    /// off to compare.
    /// </summary>
    public static bool PairedSweeps { get; set; } = true;

    /// <summary>True when <see cref="PairedSweeps"/> is on and the CPU has the registers for it.</summary>
    public static bool PairedSweepsActive => PairedSweeps && System.Runtime.Intrinsics.X86.Avx512F.IsSupported;

    /// <summary>True when <paramref name="tensor"/> is a float32 tensor on the CPU (any layout: the kernels make it contiguous).</summary>
    public static bool IsFloat32Cpu(Tensor? tensor) =>
        tensor is not null && !tensor.IsInvalid && tensor.dtype == ScalarType.Float32 && tensor.device_type == DeviceType.CPU;

    /// <summary>
    /// The vector width the kernels use, in bits: 512 where <see cref="Vector512.IsHardwareAccelerated"/>,
    /// otherwise 256 where <see cref="Vector256.IsHardwareAccelerated"/>, otherwise 128; or the width
    /// forced by <see cref="ForcedVectorBits"/>.
    /// </summary>
    public static int VectorBits =>
        _forcedVectorBits != 0 ? _forcedVectorBits
        : Vector512.IsHardwareAccelerated ? 512
        : Vector256.IsHardwareAccelerated ? 256
        : 128;

    /// <summary>
    /// Forces a vector width (128, 256 or 512) for every later kernel call, or 0 for the automatic choice.
    /// For tests and benchmarks that compare the paths; a width the hardware lacks still runs (emulated, slowly).
    /// </summary>
    public static int ForcedVectorBits
    {
        get => _forcedVectorBits;
        set
        {
            if (value is not (0 or 128 or 256 or 512))
                throw new ArgumentOutOfRangeException(nameof(value), value, "Expected 0 (automatic), 128, 256 or 512.");
            _forcedVectorBits = value;
        }
    }

    /// <summary>
    /// The address of the first element of a contiguous CPU tensor (null when it is empty). The tensor must
    /// stay alive while the pointer is used.
    /// </summary>
    public static float* FloatPointer(Tensor tensor)
    {
        if (tensor.numel() == 0) return null;
        // Tensor.bytes spans at most int.MaxValue bytes; a one-element view of the first element gives the
        // address of tensors of any size.
        using var flat = tensor.view(-1);
        using var first = flat.narrow(0, 0, 1);
        return (float*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(first.bytes));
    }

    /// <summary>Number of blocks of <paramref name="size"/> items covering <paramref name="count"/> items.</summary>
    public static long BlockCount(long count, long size) => (count + size - 1) / size;

    /// <summary>
    /// Runs <paramref name="body"/> for every block in [0, <paramref name="blocks"/>) on at most
    /// <paramref name="maxThreads"/> (default <c>torch.get_num_threads()</c>) workers, handing blocks out
    /// dynamically (inside a training step other pools may hold part of a core, and a static split would leave
    /// the fast thread waiting for the slow one). The workers are libtorch's OpenMP team where it can be
    /// reached (<see cref="OpenMpTeam"/>), otherwise the .NET thread pool. Each block must write only its own
    /// outputs, so results do not depend on which thread ran it.
    /// </summary>
    public static void ForEachBlock(long blocks, Action<long> body, int maxThreads = 0)
    {
        long workers = Math.Min(blocks, Math.Max(1, maxThreads > 0 ? maxThreads : torch.get_num_threads()));
        if (workers <= 1)
        {
            for (long b = 0; b < blocks; b++) body(b);
            return;
        }
        if (OpenMpTeam.TryForEachBlock(blocks, (int)workers, body)) return;
        Parallel.For(0L, blocks, new ParallelOptions { MaxDegreeOfParallelism = (int)workers }, body);
    }

    /// <summary>Sums per-block partials [blocks][len] in block order, in double.</summary>
    public static double[] SumBlocks(float[] partial, long blocks, int len)
    {
        var total = new double[len];
        for (long b = 0; b < blocks; b++)
        {
            long offset = b * len;
            for (int i = 0; i < len; i++) total[i] += partial[offset + i];
        }
        return total;
    }
}
