using Microsoft.ML.Vae.Core.Data;

namespace Microsoft.ML.Vae.Cli.Data;

/// <summary>
/// A resolved --data argument: either an infinite 2-D sampler or in-memory train/test sets.
/// Disposing releases the tensors.
/// </summary>
internal sealed class CliData : IDisposable
{
    public required string Name { get; init; }
    public IDataSampler? Sampler { get; init; }
    public TensorDataset? Train { get; init; }
    public TensorDataset? Test { get; init; }

    /// <summary>True for the 2-D toy distributions.</summary>
    public bool IsToy => Sampler is not null;

    /// <summary>The shape of one sample.</summary>
    public long[] SampleShape => Sampler is not null ? [2] : Train!.SampleShape;

    /// <summary>The held-out set when there is one, else the training set.</summary>
    public TensorDataset Evaluation => Test ?? Train ?? throw new InvalidOperationException("A sampler has no fixed evaluation set.");

    public void Dispose()
    {
        Train?.Dispose();
        Test?.Dispose();
    }
}
