using System.Runtime.InteropServices;

namespace Microsoft.ML.Vae.Torch.Native;

/// <summary>Owning handle of a native <c>vt_tensor</c>; its critical finalizer is the safety net behind Dispose.</summary>
internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.vt_free(handle);
        Tensor.OnNativeRelease();
        return true;
    }
}

/// <summary>Owning handle of a native TorchScript module.</summary>
internal sealed class ModuleHandle : SafeHandle
{
    public ModuleHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.vt_jit_free(handle);
        return true;
    }
}
