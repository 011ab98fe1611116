using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch;

// dtype/device moves, copies and autograd on single tensors.
public sealed partial class Tensor
{
    /// <summary>Converts to another dtype (a new tensor, even when the dtype is the same).</summary>
    public Tensor To(DType dtype) { var d = Device; return Wrap(NativeMethods.vt_to(H, (int)dtype, (int)d.Type, d.NativeIndex, 0, 1)); }

    /// <summary>Moves to a device (a new tensor). <paramref name="nonBlocking"/> overlaps a pinned host copy with GPU work.</summary>
    public Tensor To(Device device, bool nonBlocking = false)
    {
        device.EnsureAvailable();
        return Wrap(NativeMethods.vt_to(H, (int)DType, (int)device.Type, device.NativeIndex, nonBlocking ? 1 : 0, 1));
    }

    /// <summary>Converts dtype and device at once.</summary>
    public Tensor To(DType dtype, Device device, bool nonBlocking = false)
    {
        device.EnsureAvailable();
        return Wrap(NativeMethods.vt_to(H, (int)dtype, (int)device.Type, device.NativeIndex, nonBlocking ? 1 : 0, 1));
    }

    /// <summary>A copy in page-locked host memory (CUDA builds only), for fast asynchronous uploads.</summary>
    public Tensor PinMemory() => Wrap(NativeMethods.vt_pin_memory(H));

    /// <summary>Whether the host memory is page-locked.</summary>
    public bool IsPinned => NativeMethods.vt_is_pinned(H) == 1;

    public Tensor Cpu() => To(Device.Cpu);
    public Tensor Float() => To(DType.Float32);
    public Tensor Double() => To(DType.Float64);
    public Tensor Long() => To(DType.Int64);
    public Tensor Detach() => Wrap(NativeMethods.vt_detach(H));
    public Tensor Clone() => Wrap(NativeMethods.vt_clone(H));
    public Tensor Contiguous() => Wrap(NativeMethods.vt_contiguous(H));
    /// <summary>A second handle to the same tensor (shares data and autograd identity).</summary>
    public Tensor Alias() => Wrap(NativeMethods.vt_alias(H));

    /// <summary>Replaces this tensor's data with <paramref name="source"/>'s (device and dtype too), keeping its identity, like PyTorch's <c>t.data = source</c>.</summary>
    public void SetData(Tensor source) => NativeMethods.Check(NativeMethods.vt_set_data(H, Arg(source, nameof(source)).H));

    /// <summary>Back-propagates from this tensor (a scalar unless <paramref name="gradient"/> is given).</summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false)
    {
        var g = gradient is null ? IntPtr.Zero : gradient.Raw;
        NativeMethods.Check(NativeMethods.vt_backward(H, g, retainGraph ? 1 : 0, createGraph ? 1 : 0));
        GC.KeepAlive(gradient);
    }

    /// <summary>The accumulated gradient (a new handle), or null when none has been computed.</summary>
    public Tensor? Grad
    {
        get
        {
            NativeMethods.Check(NativeMethods.vt_grad(H, out var raw));
            return WrapOptional(raw);
        }
        set
        {
            NativeMethods.Check(NativeMethods.vt_set_grad(H, value is null ? IntPtr.Zero : value.Raw));
            GC.KeepAlive(value);
        }
    }
}
