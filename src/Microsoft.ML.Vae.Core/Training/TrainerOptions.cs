using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Training;

/// <summary>Settings of the generic <see cref="Trainer"/> loop. Defaults are documented per member.</summary>
public sealed class TrainerOptions
{
    /// <summary>Total optimization steps of the run (default 10,000). A resumed run continues up to this count.</summary>
    public long Iterations { get; set; } = 10_000;

    /// <summary>Read, record and report the loss terms every this many steps (default 100). The last step is always logged.</summary>
    public int LogInterval { get; set; } = 100;

    /// <summary>Write a checkpoint every this many steps; 0 (the default) writes one only at the end.</summary>
    public long CheckpointInterval { get; set; }

    /// <summary>Folder for checkpoint files; null (the default) writes none.</summary>
    public string? CheckpointDirectory { get; set; }

    /// <summary>How many of the newest checkpoint files to keep in <see cref="CheckpointDirectory"/> (default 2).</summary>
    public int KeepCheckpoints { get; set; } = 2;

    /// <summary>
    /// When true, continue from the newest checkpoint in <see cref="CheckpointDirectory"/> if there is one
    /// (default false). When false, checkpoint files already in that folder are deleted as training
    /// starts, so the checkpoints of different runs never mix.
    /// </summary>
    public bool Resume { get; set; }

    /// <summary>Call <see cref="Evaluate"/> every this many steps; 0 (the default) never.</summary>
    public long EvaluationInterval { get; set; }

    /// <summary>
    /// Periodic evaluation: gets the step, returns named metrics that are reported and recorded in the
    /// history. It runs with every module in evaluation mode, under no-grad and in its own dispose scope,
    /// and the random generators are restored afterwards so evaluation never changes training.
    /// </summary>
    public Func<long, IReadOnlyDictionary<string, double>>? Evaluate { get; set; }

    /// <summary>
    /// Seed given to <c>torch.manual_seed</c> when training starts (default 0). On a CUDA device the
    /// CUDA generator is also reseeded before every step from (Seed, step), because TorchSharp cannot
    /// read its state for checkpoints; this keeps resumed runs exact there too.
    /// </summary>
    public long Seed { get; set; }

    /// <summary>The training device (default CPU): batches not on it are moved there.</summary>
    public Device Device { get; set; } = torch.CPU;

    /// <summary>libtorch intra-op threads to use; null (the default) leaves the current setting.</summary>
    public int? Threads { get; set; }

    /// <summary>
    /// Call <see cref="TorchRuntime.RetainFreedMemory"/> when training starts (default true), so that freed tensor
    /// memory is reused by the next step instead of being returned to the kernel and faulted in again.
    /// Process-wide; turn off when the process must hand memory back between steps.
    /// </summary>
    public bool RetainFreedMemory { get; set; } = true;

    /// <summary>Reaction to a NaN or infinite loss term (default <see cref="NanPolicy.Throw"/>).</summary>
    public NanPolicy NanPolicy { get; set; } = NanPolicy.Throw;

    /// <summary>Learning-rate multiplier applied at each NaN rollback (default 0.5).</summary>
    public double LrFactor { get; set; } = 0.5;

    /// <summary>Most NaN rollbacks allowed in one run before giving up (default 3).</summary>
    public int MaxRollbacks { get; set; } = 3;

    /// <summary>
    /// Settings that define the run, as the caller names them (for example the command-line options that
    /// built the model and program); stored verbatim in every checkpoint and read back with
    /// <see cref="CheckpointFile.ReadRunSettings"/>, so that a resume can check that it continues the same
    /// run and refuse one that changes it. The trainer itself does not interpret them. Default null: none stored.
    /// </summary>
    public IReadOnlyDictionary<string, string>? RunSettings { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Iterations < 1) throw new ArgumentException($"Iterations must be at least 1 (got {Iterations}).", nameof(Iterations));
        if (LogInterval < 1) throw new ArgumentException($"LogInterval must be at least 1 (got {LogInterval}).", nameof(LogInterval));
        if (CheckpointInterval < 0) throw new ArgumentException($"CheckpointInterval must be 0 or more (got {CheckpointInterval}).", nameof(CheckpointInterval));
        if (KeepCheckpoints < 1) throw new ArgumentException($"KeepCheckpoints must be at least 1 (got {KeepCheckpoints}).", nameof(KeepCheckpoints));
        if (EvaluationInterval < 0) throw new ArgumentException($"EvaluationInterval must be 0 or more (got {EvaluationInterval}).", nameof(EvaluationInterval));
        if (EvaluationInterval > 0 && Evaluate is null) throw new ArgumentException("EvaluationInterval is set but Evaluate is null.", nameof(Evaluate));
        if (Device is null) throw new ArgumentException("Device must not be null (use torch.CPU for the CPU).", nameof(Device));
        if (Threads is < 1) throw new ArgumentException($"Threads must be at least 1 (got {Threads}).", nameof(Threads));
        if (!(LrFactor > 0 && LrFactor < 1)) throw new ArgumentException($"LrFactor must be in (0, 1) (got {LrFactor}).", nameof(LrFactor));
        if (MaxRollbacks < 0) throw new ArgumentException($"MaxRollbacks must be 0 or more (got {MaxRollbacks}).", nameof(MaxRollbacks));
        if (Resume && CheckpointDirectory is null) throw new ArgumentException("Resume needs a CheckpointDirectory.", nameof(Resume));
        if (!Enum.IsDefined(NanPolicy)) throw new ArgumentException($"Unknown NanPolicy {NanPolicy}.", nameof(NanPolicy));
    }
}
