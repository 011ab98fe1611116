using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Engine;

/// <summary>
/// Parsing, comparing, checking and printing TorchSharp devices: what <see cref="Device"/> lacks. The
/// library uses the CPU and CUDA devices only.
/// </summary>
public static class Devices
{
    /// <summary>Parses "cpu", "cuda" (or "gpu"; CUDA device 0) or "cuda:N", ignoring case and surrounding spaces.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="ArgumentException">The text names no such device.</exception>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return torch.CPU;
        if (t == "cuda" || t == "gpu") return new Device(DeviceType.CUDA, 0);
        if (t.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(t.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var i))
            return new Device(DeviceType.CUDA, i);
        throw new ArgumentException($"Unknown device '{text}'. Use cpu, cuda or cuda:N.", nameof(text));
    }

    /// <summary>
    /// True when <paramref name="a"/> and <paramref name="b"/> are the same device: both the CPU (whatever
    /// their index), or the same CUDA device (an unspecified CUDA index, -1, means device 0).
    /// </summary>
    public static bool Same(Device a, Device b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.type != b.type) return false;
        return a.type != DeviceType.CUDA || CudaIndex(a) == CudaIndex(b);
    }

    /// <summary>
    /// Throws a clear error when <paramref name="device"/> cannot be used by the loaded libtorch, and
    /// returns it otherwise.
    /// </summary>
    /// <exception cref="NotSupportedException">CUDA was asked for but the backend has no CUDA support or sees no GPU; or the device is neither the CPU nor CUDA.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The CUDA device index does not exist.</exception>
    public static Device EnsureAvailable(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        switch (device.type)
        {
            case DeviceType.CPU:
                return device;
            case DeviceType.CUDA:
                if (!torch.cuda.is_available())
                    throw new NotSupportedException(
                        "CUDA was requested but the loaded libtorch has no CUDA support or no GPU is visible. " +
                        "Reference a CUDA backend package such as TorchSharp-cuda-linux (see docs/gpu.md) or use the CPU.");
                int count = torch.cuda.device_count();
                int index = CudaIndex(device);
                if (index >= count)
                    throw new ArgumentOutOfRangeException(nameof(device), $"CUDA device {index} does not exist; {count} device(s) visible.");
                return device;
            default:
                throw new NotSupportedException($"Device '{Describe(device)}' is not supported; use cpu or cuda[:N].");
        }
    }

    /// <summary>"cpu" or "cuda:N" (the form <see cref="Parse"/> reads back); other device types as TorchSharp prints them.</summary>
    public static string Describe(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return device.type switch
        {
            DeviceType.CPU => "cpu",
            DeviceType.CUDA => $"cuda:{CudaIndex(device)}",
            _ => device.ToString(),
        };
    }

    private static int CudaIndex(Device device) => device.index < 0 ? 0 : device.index;
}
