using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Training;

/// <summary>
/// An endless stream of training batches for the <see cref="Trainer"/>, with a saveable position so
/// that a resumed run sees exactly the batches an uninterrupted run would have seen.
/// </summary>
public interface IBatchSource
{
    /// <summary>
    /// The next batch, float32 shaped [B, ..sampleShape] on the training device. The tensor is new:
    /// the caller owns it (it also belongs to the caller's open dispose scope, if any).
    /// </summary>
    Tensor Next();

    /// <summary>The source's position and random state as a string (opaque to the trainer).</summary>
    string SaveState();

    /// <summary>Restores a state from <see cref="SaveState"/>; invalid text raises <see cref="InvalidDataException"/>.</summary>
    void RestoreState(string state);
}
