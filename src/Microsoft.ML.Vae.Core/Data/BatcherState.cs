namespace Microsoft.ML.Vae.Core.Data;

/// <summary>
/// Where a <see cref="Batcher"/> stands: the epoch (0-based) and how many samples of that
/// epoch's order it has handed out. Saving it with a checkpoint and passing it to
/// <see cref="Batcher.Restore"/> resumes the exact batch sequence.
/// </summary>
/// <param name="Epoch">The current epoch, 0-based.</param>
/// <param name="Position">Samples of the current epoch already handed out.</param>
public readonly record struct BatcherState(long Epoch, long Position);
