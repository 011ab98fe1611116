using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Runtime;

using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// Seeds libtorch's generators for one piece of work and restores their previous states afterwards,
/// so that generating data from a pipeline neither depends on nor disturbs other random draws.
/// </summary>
internal sealed class SeededGenerators : IDisposable
{
    private readonly byte[] _cpu;
    private readonly byte[][] _cuda;
    private bool _disposed;

    /// <summary>Saves the current states and seeds every generator with <paramref name="seed"/>.</summary>
    public SeededGenerators(long seed)
    {
        _cpu = Torch.GetRngState();
        int devices = Device.IsCudaAvailable ? Device.CudaDeviceCount : 0;
        _cuda = new byte[devices][];
        for (int i = 0; i < devices; i++) _cuda[i] = Torch.GetCudaRngState(i);
        Torch.ManualSeed(seed);
    }

    /// <summary>Restores the saved states.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Torch.SetRngState(_cpu);
        for (int i = 0; i < _cuda.Length; i++) Torch.SetCudaRngState(_cuda[i], i);
    }
}
