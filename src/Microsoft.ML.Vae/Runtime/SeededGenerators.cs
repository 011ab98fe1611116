using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;

namespace Microsoft.ML.Vae.Runtime;

/// <summary>
/// Seeds libtorch's generators for one piece of work and restores the CPU generator's previous state
/// afterwards, so that generating data from a pipeline neither depends on nor disturbs other random draws
/// on the CPU.
/// </summary>
/// <remarks>
/// Every CUDA generator is seeded too, so generation on a GPU repeats; TorchSharp 0.107 has no call that
/// reads or writes a CUDA generator's state, so those generators are left reseeded rather than restored
/// (as in the core's evaluation metrics).
/// </remarks>
internal sealed class SeededGenerators : IDisposable
{
    private readonly byte[] _cpu;
    private bool _disposed;

    /// <summary>Saves the CPU generator's state and seeds every generator with <paramref name="seed"/>.</summary>
    public SeededGenerators(long seed)
    {
        _cpu = TorchRuntime.GetRngState();
        torch.manual_seed(seed);
        if (torch.cuda.is_available()) torch.cuda.manual_seed_all(seed);
    }

    /// <summary>Restores the CPU generator's saved state.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        TorchRuntime.SetRngState(_cpu);
    }
}
