using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Runtime;

/// <summary>Maps ML.NET's GPU settings (<see cref="MLContext.GpuDeviceId"/>, <see cref="MLContext.FallbackToCpu"/>) to a libtorch device.</summary>
internal static class ContextDevice
{
    /// <summary>
    /// CUDA device <see cref="MLContext.GpuDeviceId"/> when it is set and present; the CPU when it is not set,
    /// or when it is set but absent and <see cref="MLContext.FallbackToCpu"/> allows falling back.
    /// </summary>
    /// <exception cref="InvalidOperationException">A GPU was asked for, is not available, and falling back is not allowed.</exception>
    public static Device Resolve(MLContext mlContext)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        return Resolve(mlContext.GpuDeviceId, mlContext.FallbackToCpu);
    }

    /// <summary>The same for an environment's settings.</summary>
    public static Device Resolve(VaeEnvironment environment) => Resolve(environment.GpuDeviceId, environment.FallbackToCpu);

    private static Device Resolve(int? gpuDeviceId, bool fallbackToCpu)
    {
        if (gpuDeviceId is not int id) return torch.CPU;
        bool cuda = torch.cuda.is_available();
        int count = cuda ? torch.cuda.device_count() : 0;
        if (cuda && id >= 0 && id < count) return new Device(DeviceType.CUDA, id);
        if (fallbackToCpu) return torch.CPU;
        string why = cuda
            ? $"only {count} CUDA device(s) are present"
            : "libtorch reports no CUDA support on this machine (the application needs a CUDA backend package such as TorchSharp-cuda-linux or TorchSharp-cuda-windows, and a visible GPU)";
        throw new InvalidOperationException(
            $"MLContext.GpuDeviceId is {id} but {why}. Set MLContext.FallbackToCpu = true to run on the CPU instead, or clear GpuDeviceId.");
    }
}
