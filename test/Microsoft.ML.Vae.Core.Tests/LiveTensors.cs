using TorchSharp;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// The leak count of the tests: tensors made on this thread and not yet disposed on it. A tensor left to the
/// garbage collector stays counted (the finalizer runs on another thread), so it shows up as a leak.
/// </summary>
/// <remarks>
/// <c>torch.Tensor.TotalCount</c> cannot serve here: TorchSharp 0.107 never takes back the count of the
/// tensor a <c>Parameter</c> is made from (the parameter takes its native handle), so that count grows by one
/// for every parameter of every module ever built, disposed or not. The per-thread statistics count the
/// parameter in place of its source tensor.
/// </remarks>
internal static class LiveTensors
{
    /// <summary>Tensors created minus tensors disposed on the calling thread.</summary>
    public static long Count => DisposeScopeManager.Statistics.TensorStatistics.ThreadTotalLiveCount;
}
