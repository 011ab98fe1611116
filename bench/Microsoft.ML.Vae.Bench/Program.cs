using Microsoft.ML.Vae.Bench;
using Microsoft.ML.Vae.Torch;

// Times one workload of the binding and prints one JSON line (see bench/README.md).
// Whole library training runs (soft-intro-2d, toy-vae) and the mixture-KL pieces (mixture-kl) have their own flags.
if (ToyRunOptions.Handles(args)) return ToyRun.RunCommandLine(args);
if (MixtureKlBench.Handles(args)) return MixtureKlBench.RunCommandLine(args);
BenchOptions options;
try
{
    if (args.Length == 1 && args[0] is "--help" or "-h")
    {
        Console.WriteLine(BenchOptions.Usage);
        return 0;
    }
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(BenchOptions.Usage);
    return 2;
}

Torch.Threads = options.Threads;
int iters = options.EffectiveIterations, warmup = options.EffectiveWarmup;
LoopTiming timing;
double? lossFirst = null, lossLast = null;
long liveBefore = Tensor.LiveCount;
if (options.Case == BenchCase.Op)
{
    timing = OpOverhead.Time(warmup, iters, options.DType);
}
else if (options.Case == BenchCase.OpRaw)
{
    timing = RawShimOp.Time(warmup, iters, options.DType);
}
else
{
    using var step = options.Case == BenchCase.Mlp
        ? VaeTrainingStep.Mlp(options.Seed, options.DType)
        : VaeTrainingStep.Conv(options.Seed, options.DType);
    // The first step's loss shows whether both sides start from the same weights and data.
    lossFirst = step.Run(readLoss: true);
    timing = StepTimer.Time(() => step.Run(), Math.Max(0, warmup - 1), iters);
    lossLast = step.Run(readLoss: true);
}
// Every tensor a step creates must be released by its scope (or by Sequential as it goes).
long leaked = Tensor.LiveCount - liveBefore;

var result = new BenchResult
{
    Case = options.Case == BenchCase.OpRaw ? "op-raw" : options.Case.ToString().ToLowerInvariant(),
    Iters = iters,
    Warmup = warmup,
    Threads = Torch.Threads,
    Dtype = options.DType == DType.Float64 ? "float64" : "float32",
    Seed = options.Seed,
    MsPerIter = timing.MeanMs,
    MsMedianIter = timing.MedianMs,
    MsMinIter = timing.MinMs,
    LossFirst = lossFirst,
    LossLast = lossLast,
    Torch = Torch.Version,
    Blas = RuntimeInfo.LoadedBlas(),
    OmpWaitPolicy = RuntimeInfo.OmpWaitPolicy(),
    LeakedTensors = leaked,
};
Console.WriteLine(result.ToJson());
return 0;
