using System.Runtime.InteropServices;
using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch;

/// <summary>Runtime settings of libtorch and tensor factories (PyTorch's <c>torch.*</c>).</summary>
public static unsafe class Torch
{
    // ---- runtime

    /// <summary>Version of the loaded libtorch, e.g. "1.13.1".</summary>
    public static string Version => Marshal.PtrToStringUTF8(NativeMethods.vt_version()) ?? "";

    /// <summary>libtorch's build configuration (BLAS, OpenMP, CUDA, oneDNN...).</summary>
    public static string Configuration => Marshal.PtrToStringUTF8(NativeMethods.vt_config()) ?? "";

    /// <summary>Whether oneDNN (MKL-DNN) kernels are available.</summary>
    public static bool HasMkldnn => NativeMethods.vt_has_mkldnn() == 1;

    /// <summary>Intra-op threads libtorch uses (set to the machine's cores at load unless OMP_NUM_THREADS is set).</summary>
    public static int Threads
    {
        get => NativeMethods.vt_get_num_threads();
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), "Thread count must be at least 1.");
            NativeMethods.Check(NativeMethods.vt_set_num_threads(value));
        }
    }

    /// <summary>
    /// Keeps memory freed by tensors in the process for reuse instead of handing it back to the kernel
    /// (glibc's <c>M_TRIM_THRESHOLD</c> and <c>M_MMAP_THRESHOLD</c>; process-wide, not undone). A training
    /// step frees its whole graph at once, so with glibc's defaults the next step page-faults and zeroes the
    /// same memory again: on the 2-D S-IntroVAE step that was ~1,800 page faults and 15–20 % of the time per
    /// iteration. The price is that up to <paramref name="trimThresholdBytes"/> of freed memory stays resident.
    /// Returns false where the C library offers no such settings (nothing changes then).
    /// </summary>
    /// <param name="trimThresholdBytes">Free memory at the top of the heap kept before trimming (default 512 MiB).</param>
    /// <param name="mmapThresholdBytes">Blocks at least this large are mapped separately (default 32 MiB, glibc's maximum).</param>
    public static bool RetainFreedMemory(long trimThresholdBytes = 512L << 20, long mmapThresholdBytes = 32L << 20)
    {
        int status = NativeMethods.vt_retain_freed_memory(trimThresholdBytes, mmapThresholdBytes);
        NativeMethods.Check(status);
        return status == 1;
    }

    /// <summary>Seeds libtorch's default generators (CPU and every CUDA device).</summary>
    public static void ManualSeed(long seed) => NativeMethods.Check(NativeMethods.vt_manual_seed(seed));

    /// <summary>The CPU generator's state, for exact resume.</summary>
    public static byte[] GetRngState()
    {
        using var t = Tensor.Wrap(NativeMethods.vt_rng_get_state());
        return t.ToBytes();
    }

    /// <summary>Restores a state from <see cref="GetRngState"/>.</summary>
    public static void SetRngState(byte[] state)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var t = Tensor.FromBytes(state, [state.Length], DType.UInt8);
        NativeMethods.Check(NativeMethods.vt_rng_set_state(t.H));
    }

    /// <summary>A CUDA device generator's state.</summary>
    public static byte[] GetCudaRngState(int device = 0)
    {
        using var t = Tensor.Wrap(NativeMethods.vt_cuda_rng_get_state(device));
        return t.ToBytes();
    }

    /// <summary>Restores a CUDA device generator's state.</summary>
    public static void SetCudaRngState(byte[] state, int device = 0)
    {
        ArgumentNullException.ThrowIfNull(state);
        using var t = Tensor.FromBytes(state, [state.Length], DType.UInt8);
        NativeMethods.Check(NativeMethods.vt_cuda_rng_set_state(device, t.H));
    }

    /// <summary>Waits for all queued work on a CUDA device.</summary>
    public static void CudaSynchronize(int device = 0) => NativeMethods.Check(NativeMethods.vt_cuda_synchronize(device));

    /// <summary>Native tensor handles alive in the shim (diagnostics).</summary>
    public static long NativeLiveTensors => NativeMethods.vt_native_live_tensors();

    /// <summary>Turns autograd recording off until the returned guard is disposed.</summary>
    public static GradMode NoGrad() => new(false);

    /// <summary>Turns autograd recording on until the returned guard is disposed.</summary>
    public static GradMode EnableGrad() => new(true);

    /// <summary>Opens a dispose scope on this thread.</summary>
    public static DisposeScope NewDisposeScope() => DisposeScope.Open();

    // ---- factories

    private delegate TensorHandle ShapedFactory(long* shape, int ndim, int dtype, int devType, int devIndex);

    private static Tensor Shaped(ShapedFactory f, ReadOnlySpan<long> shape, DType dtype, Device device)
    {
        device.EnsureAvailable();
        fixed (long* s = shape) return Tensor.Wrap(f(s, shape.Length, (int)dtype, (int)device.Type, device.NativeIndex));
    }

    public static Tensor Empty(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device device = default) => Shaped(NativeMethods.vt_empty, shape, dtype, device);
    public static Tensor Zeros(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device device = default) => Shaped(NativeMethods.vt_zeros, shape, dtype, device);
    public static Tensor Ones(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device device = default) => Shaped(NativeMethods.vt_ones, shape, dtype, device);
    /// <summary>Standard normal samples.</summary>
    public static Tensor Randn(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device device = default) => Shaped(NativeMethods.vt_randn, shape, dtype, device);
    /// <summary>Uniform samples on [0, 1).</summary>
    public static Tensor Rand(ReadOnlySpan<long> shape, DType dtype = DType.Float32, Device device = default) => Shaped(NativeMethods.vt_rand, shape, dtype, device);

    public static Tensor Full(ReadOnlySpan<long> shape, double value, DType dtype = DType.Float32, Device device = default)
    {
        device.EnsureAvailable();
        fixed (long* s = shape) return Tensor.Wrap(NativeMethods.vt_full(s, shape.Length, value, (int)dtype, (int)device.Type, device.NativeIndex));
    }

    /// <summary>Uniform integers in [low, high).</summary>
    public static Tensor RandInt(long low, long high, ReadOnlySpan<long> shape, DType dtype = DType.Int64, Device device = default)
    {
        device.EnsureAvailable();
        fixed (long* s = shape) return Tensor.Wrap(NativeMethods.vt_randint(low, high, s, shape.Length, (int)dtype, (int)device.Type, device.NativeIndex));
    }

    /// <summary>A random permutation of 0..n-1.</summary>
    public static Tensor RandPerm(long n, DType dtype = DType.Int64, Device device = default)
    {
        device.EnsureAvailable();
        return Tensor.Wrap(NativeMethods.vt_randperm(n, (int)dtype, (int)device.Type, device.NativeIndex));
    }

    public static Tensor Arange(double start, double end, double step = 1, DType dtype = DType.Int64, Device device = default)
    {
        device.EnsureAvailable();
        if (step == 0) throw new ArgumentException("arange step must be non-zero.", nameof(step));
        return Tensor.Wrap(NativeMethods.vt_arange(start, end, step, (int)dtype, (int)device.Type, device.NativeIndex));
    }

    public static Tensor Arange(long end, DType dtype = DType.Int64, Device device = default) => Arange(0, end, 1, dtype, device);

    public static Tensor Linspace(double start, double end, long steps, DType dtype = DType.Float32, Device device = default)
    {
        device.EnsureAvailable();
        return Tensor.Wrap(NativeMethods.vt_linspace(start, end, steps, (int)dtype, (int)device.Type, device.NativeIndex));
    }

    public static Tensor Eye(long n, long? m = null, DType dtype = DType.Float32, Device device = default)
    {
        device.EnsureAvailable();
        return Tensor.Wrap(NativeMethods.vt_eye(n, m ?? n, (int)dtype, (int)device.Type, device.NativeIndex));
    }

    /// <summary>Draws <paramref name="numSamples"/> category indices per row of (unnormalized) probabilities.</summary>
    public static Tensor Multinomial(Tensor probabilities, long numSamples, bool replacement = false) =>
        Tensor.Wrap(NativeMethods.vt_multinomial(Tensor.Arg(probabilities, nameof(probabilities)).H, numSamples, replacement ? 1 : 0));

    public static Tensor Bernoulli(Tensor probabilities) => Tensor.Wrap(NativeMethods.vt_bernoulli(Tensor.Arg(probabilities, nameof(probabilities)).H));
    public static Tensor ZerosLike(Tensor t) => Tensor.Wrap(NativeMethods.vt_zeros_like(Tensor.Arg(t, nameof(t)).H));
    public static Tensor OnesLike(Tensor t) => Tensor.Wrap(NativeMethods.vt_ones_like(Tensor.Arg(t, nameof(t)).H));
    public static Tensor RandnLike(Tensor t) => Tensor.Wrap(NativeMethods.vt_randn_like(Tensor.Arg(t, nameof(t)).H));
    public static Tensor RandLike(Tensor t) => Tensor.Wrap(NativeMethods.vt_rand_like(Tensor.Arg(t, nameof(t)).H));
    public static Tensor FullLike(Tensor t, double value) => Tensor.Wrap(NativeMethods.vt_full_like(Tensor.Arg(t, nameof(t)).H, value));

    /// <summary><c>base ** exponent</c> element-wise.</summary>
    public static Tensor Pow(double @base, Tensor exponent) => Tensor.Wrap(NativeMethods.vt_scalar_pow(@base, Tensor.Arg(exponent, nameof(exponent)).H));

    /// <summary>Picks <paramref name="a"/> where the condition holds, else <paramref name="b"/>.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b) => a.Where(condition, b);

    public static Tensor Cat(IReadOnlyList<Tensor> tensors, long dim = 0) => Tensor.Cat(tensors, dim);
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, long dim = 0) => Tensor.Stack(tensors, dim);

    // ---- linear algebra

    public static Tensor MatMul(Tensor a, Tensor b) => Tensor.Wrap(NativeMethods.vt_matmul(Tensor.Arg(a, nameof(a)).H, Tensor.Arg(b, nameof(b)).H));
    public static Tensor Mm(Tensor a, Tensor b) => Tensor.Wrap(NativeMethods.vt_mm(Tensor.Arg(a, nameof(a)).H, Tensor.Arg(b, nameof(b)).H));
    public static Tensor Bmm(Tensor a, Tensor b) => Tensor.Wrap(NativeMethods.vt_bmm(Tensor.Arg(a, nameof(a)).H, Tensor.Arg(b, nameof(b)).H));
    public static Tensor Outer(Tensor a, Tensor b) => Tensor.Wrap(NativeMethods.vt_outer(Tensor.Arg(a, nameof(a)).H, Tensor.Arg(b, nameof(b)).H));
    /// <summary>Pairwise p-norm distances between the rows of two batches of vectors.</summary>
    public static Tensor CDist(Tensor a, Tensor b, double p = 2) => Tensor.Wrap(NativeMethods.vt_cdist(Tensor.Arg(a, nameof(a)).H, Tensor.Arg(b, nameof(b)).H, p));

    /// <summary>Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix.</summary>
    public static (Tensor Eigenvalues, Tensor Eigenvectors) Eigh(Tensor symmetric)
    {
        NativeMethods.Check(NativeMethods.vt_eigh(Tensor.Arg(symmetric, nameof(symmetric)).H, out var w, out var v));
        return (new Tensor(w), new Tensor(v));
    }

    /// <summary>Sign and log of the absolute determinant.</summary>
    public static (Tensor Sign, Tensor LogAbsDet) SLogDet(Tensor matrix)
    {
        NativeMethods.Check(NativeMethods.vt_slogdet(Tensor.Arg(matrix, nameof(matrix)).H, out var s, out var l));
        return (new Tensor(s), new Tensor(l));
    }
}
