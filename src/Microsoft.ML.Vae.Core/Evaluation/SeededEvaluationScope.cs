using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// The conditions every posterior metric runs under: autograd off, the model in evaluation mode
/// and libtorch's generators seeded. Disposing restores the CPU generator's previous state and the
/// grad mode, so a metric called during training on the CPU neither consumes nor reseeds the
/// training stream. The model stays in evaluation mode (the interface cannot report the previous
/// mode); a trainer that evaluates periodically switches it back itself.
/// </summary>
/// <remarks>
/// Every CUDA generator is seeded too (<see cref="EvaluationData.ManualSeed"/>), so metrics on a GPU
/// are reproducible; TorchSharp 0.107 has no call that reads or writes a CUDA generator's state, so
/// those generators are left reseeded rather than restored.
/// </remarks>
internal sealed class SeededEvaluationScope : IDisposable
{
    private readonly byte[] _cpuState;
    private readonly IDisposable _grad;
    private bool _disposed;

    private SeededEvaluationScope(IVaeModel model, long seed)
    {
        _cpuState = TorchRuntime.GetRngState();
        EvaluationData.ManualSeed(seed);
        _grad = torch.no_grad();
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

    /// <summary>Restores the CPU generator's state and the grad mode.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _grad.Dispose();
        TorchRuntime.SetRngState(_cpuState);
    }
}
