using System.Runtime.InteropServices;
using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch;

/// <summary>
/// A libtorch tensor. Dispose it (or let a <see cref="DisposeScope"/> do it): native memory is
/// invisible to the garbage collector, so finalization is only a safety net.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private static long _live;
    private static long _peak;

    internal TensorHandle Handle { get; }
    internal DisposeScope? Scope { get; set; }

    internal Tensor(TensorHandle handle)
    {
        Handle = handle;
        long n = Interlocked.Increment(ref _live);
        if (n > Volatile.Read(ref _peak)) Volatile.Write(ref _peak, n);
        DisposeScope.Register(this);
    }

    /// <summary>Number of tensors created and not yet released, process-wide.</summary>
    public static long LiveCount => Interlocked.Read(ref _live);

    /// <summary>Highest <see cref="LiveCount"/> seen.</summary>
    public static long PeakCount => Interlocked.Read(ref _peak);

    internal static void OnNativeRelease() => Interlocked.Decrement(ref _live);

    /// <summary>Wraps a handle returned by a native call, throwing the native error when it is invalid.</summary>
    internal static Tensor Wrap(TensorHandle handle)
    {
        if (handle.IsInvalid)
        {
            handle.SetHandleAsInvalid();
            throw TorchException.FromLastError();
        }
        return new Tensor(handle);
    }

    internal static Tensor? WrapOptional(IntPtr raw)
    {
        if (raw == IntPtr.Zero) return null;
        var h = new TensorHandle();
        Marshal.InitHandle(h, raw);
        return new Tensor(h);
    }

    /// <summary>True once the tensor has been disposed.</summary>
    public bool IsDisposed => Handle.IsClosed;

    internal TensorHandle H
    {
        get
        {
            if (Handle.IsClosed) throw new ObjectDisposedException(nameof(Tensor), "The tensor has been disposed.");
            return Handle;
        }
    }

    internal IntPtr Raw => H.DangerousGetHandle();

    /// <summary>Releases the native tensor now.</summary>
    public void Dispose()
    {
        if (Handle.IsClosed) return;
        Scope?.Unregister(this);
        Scope = null;
        Handle.Dispose();
    }

    /// <summary>Moves this tensor from its scope to the enclosing one and returns it.</summary>
    public Tensor MoveToOuterScope() => Scope is null ? this : Scope.MoveToOuter(this);

    /// <summary>Takes this tensor out of any dispose scope; the caller disposes it.</summary>
    public Tensor DetachFromScope() => DisposeScope.Detach(this);

    // ---- metadata

    /// <summary>Number of dimensions.</summary>
    public int Dim => (int)NativeMethods.vt_dim(H);

    /// <summary>Number of elements.</summary>
    public long NumberOfElements => NativeMethods.vt_numel(H);

    /// <summary>The sizes of every dimension.</summary>
    public unsafe long[] Shape
    {
        get
        {
            Span<long> buf = stackalloc long[16];
            int n;
            fixed (long* p = buf) n = NativeMethods.vt_sizes(H, p, buf.Length);
            NativeMethods.Check(n);
            if (n <= buf.Length) return buf[..n].ToArray();
            var big = new long[n];
            fixed (long* p = big) NativeMethods.Check(NativeMethods.vt_sizes(H, p, n));
            return big;
        }
    }

    /// <summary>Size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public long Size(int dim)
    {
        var s = Shape;
        int d = dim < 0 ? dim + s.Length : dim;
        if (d < 0 || d >= s.Length)
            throw new IndexOutOfRangeException($"Dimension {dim} is out of range for a tensor with {s.Length} dimensions.");
        return s[d];
    }

    /// <summary>Element type.</summary>
    public DType DType => (DType)NativeMethods.vt_dtype(H);

    /// <summary>The device holding the data.</summary>
    public Device Device
    {
        get
        {
            var type = (DeviceType)NativeMethods.vt_device_type(H);
            return type == DeviceType.Cpu ? Device.Cpu : new Device(type, NativeMethods.vt_device_index(H));
        }
    }

    /// <summary>Whether autograd tracks operations on this tensor.</summary>
    public bool RequiresGrad
    {
        get => NativeMethods.vt_requires_grad(H) == 1;
        set => NativeMethods.Check(NativeMethods.vt_set_requires_grad(H, value ? 1 : 0));
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor.</summary>
    public Tensor RequiresGrad_(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>Whether the memory is contiguous in row-major order.</summary>
    public bool IsContiguous => NativeMethods.vt_is_contiguous(H) == 1;

    /// <summary>Whether this is a leaf of the autograd graph.</summary>
    public bool IsLeaf => NativeMethods.vt_is_leaf(H) == 1;

    /// <summary>Short description: shape, dtype and device.</summary>
    public override string ToString() =>
        IsDisposed ? "Tensor(disposed)" : $"Tensor([{string.Join(", ", Shape)}], {DType}, {Device})";
}
