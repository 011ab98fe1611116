using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

// "Torch" alone would name the Microsoft.ML.Vae.Torch namespace here.
using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// The conditions every posterior metric runs under: autograd off, the model in evaluation mode
/// and libtorch's generators seeded. Disposing restores the generators' previous states and the
/// grad mode, so a metric called during training neither consumes nor reseeds the training
/// stream. The model stays in evaluation mode (the interface cannot report the previous mode);
/// a trainer that evaluates periodically switches it back itself.
/// </summary>
internal sealed class SeededEvaluationScope : IDisposable
{
    private readonly byte[] _cpuState;
    private readonly byte[][] _cudaStates;
    private readonly GradMode _grad;
    private bool _disposed;

    private SeededEvaluationScope(IVaeModel model, long seed)
    {
        _cpuState = Torch.GetRngState();
        // Torch.ManualSeed reseeds every CUDA device, so every one is saved and restored.
        int devices = Device.IsCudaAvailable ? Device.CudaDeviceCount : 0;
        _cudaStates = new byte[devices][];
        for (int i = 0; i < devices; i++) _cudaStates[i] = Torch.GetCudaRngState(i);
        Torch.ManualSeed(seed);
        _grad = Torch.NoGrad();
        try
        {
            model.SetTraining(false);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Seeds the generators, disables autograd and puts <paramref name="model"/> in evaluation mode.</summary>
    public static SeededEvaluationScope Enter(IVaeModel model, long seed) => new(model, seed);

    /// <summary>Restores the generator states and the grad mode.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _grad.Dispose();
        Torch.SetRngState(_cpuState);
        for (int i = 0; i < _cudaStates.Length; i++) Torch.SetCudaRngState(_cudaStates[i], i);
    }
}
