using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch;

/// <summary>Kinds of device, with libtorch's <c>c10::DeviceType</c> codes.</summary>
public enum DeviceType
{
    /// <summary>The host CPU.</summary>
    Cpu = 0,
    /// <summary>An NVIDIA GPU.</summary>
    Cuda = 1,
}

/// <summary>Where a tensor lives: the CPU or one CUDA device. <c>default</c> is the CPU.</summary>
public readonly record struct Device(DeviceType Type, int Index)
{
    /// <summary>The host CPU.</summary>
    public static Device Cpu => default; // (Cpu, 0): equal to default(Device)

    /// <summary>CUDA device <paramref name="index"/>.</summary>
    public static Device Cuda(int index = 0)
    {
        if (index < 0) throw new ArgumentOutOfRangeException(nameof(index), "CUDA device index must be 0 or more.");
        return new(DeviceType.Cuda, index);
    }

    /// <summary>True when the loaded libtorch has CUDA support and sees at least one GPU.</summary>
    public static bool IsCudaAvailable => NativeMethods.vt_cuda_is_available() == 1;

    /// <summary>Number of visible CUDA devices (0 without CUDA).</summary>
    public static int CudaDeviceCount => NativeMethods.vt_cuda_device_count();

    /// <summary>True for a CUDA device.</summary>
    public bool IsCuda => Type == DeviceType.Cuda;

    internal int NativeIndex => Type == DeviceType.Cpu ? -1 : Index;

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda" || t == "gpu") return Cuda(0);
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), out var i) && i >= 0) return Cuda(i);
        throw new ArgumentException($"Unknown device '{text}'. Use cpu, cuda or cuda:N.", nameof(text));
    }

    /// <summary>Throws a clear error when this device cannot be used by the loaded libtorch.</summary>
    public Device EnsureAvailable()
    {
        if (Type == DeviceType.Cuda)
        {
            if (!IsCudaAvailable)
                throw new NotSupportedException(
                    "CUDA was requested but the loaded libtorch has no CUDA support or no GPU is visible. " +
                    "Build the native shim against a CUDA libtorch (see docs/gpu.md) or use the CPU.");
            if (Index >= CudaDeviceCount)
                throw new ArgumentOutOfRangeException(nameof(Index), $"CUDA device {Index} does not exist; {CudaDeviceCount} device(s) visible.");
        }
        return this;
    }

    /// <inheritdoc />
    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : $"cuda:{Index}";
}
