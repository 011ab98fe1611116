using Microsoft.ML.Vae.Core.Training.Optimization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Training;

/// <summary>
/// What a model family gives the generic <see cref="Trainer"/>: its modules and optimizers (for
/// checkpoints), and one optimization step. The trainer owns the loop, seeding, data, progress,
/// checkpoints, resume, the NaN/Inf guard and cancellation; the program owns the math and the
/// optimizer topology (one optimizer, adversarial pair, introspective players).
/// </summary>
public interface ITrainingProgram : IDisposable
{
    /// <summary>Every module whose state must be checkpointed, by a stable name ("model", "discriminator"...).</summary>
    IReadOnlyList<(string Name, nn.Module Module)> Modules { get; }

    /// <summary>
    /// Every optimizer, by a stable name ("vae", "discriminator", "encoder"...). Checkpoints support
    /// TorchSharp's Adam, AdamW and SGD and <see cref="FusedAdam"/>/<see cref="FusedAdamW"/>
    /// (see <see cref="OptimizerCheckpoint"/>).
    /// </summary>
    IReadOnlyList<(string Name, optim.Optimizer Optimizer)> Optimizers { get; }

    /// <summary>
    /// Runs one optimization step on <paramref name="batch"/> (on the training device) at 1-based
    /// <paramref name="step"/>, including zero-grad, backward and optimizer steps, and returns
    /// the terms. Tensors it creates belong to the caller's dispose scope.
    /// <paramref name="nextBatch"/> draws an additional batch when an objective needs one (FactorVAE).
    /// </summary>
    LossTerms Step(Tensor batch, long step, Func<Tensor> nextBatch);

    /// <summary>Called after a resume restored module and optimizer state (rebuild derived state here).</summary>
    void OnResumed(long step) { }

    /// <summary>
    /// A notice for the person training (e.g. a warning that training left a range the model can handle), or
    /// null. The trainer asks after every step and reports it as a progress message; each notice is handed out once.
    /// </summary>
    string? TakeNotice() => null;

    /// <summary>
    /// Learning-rate schedules over the optimizers (none by default). The trainer steps each once
    /// per iteration, after <see cref="Step"/>, and restores their positions on resume.
    /// </summary>
    IReadOnlyList<LRScheduler> Schedulers => [];
}
