using Microsoft.ML.Vae.Bench;
using Microsoft.ML.Vae.Core.Engine;
using TorchSharp;
using static TorchSharp.torch;

// Times one workload through TorchSharp and prints one JSON line (see bench/README.md).
// Whole library training runs (soft-intro-2d, toy-vae) and the mixture-KL pieces (mixture-kl) have their own flags.

// libtorch's OpenMP runtime reads its wait policy once, when it loads: OMP_WAIT_POLICY=PASSIVE and
// GOMP_SPINCOUNT=10000 unless the environment sets them (as bench/torch_env.py does for the PyTorch side).
TorchRuntime.ConfigureThreadingEnvironment();
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

torch.set_num_threads(options.Threads);
int iters = options.EffectiveIterations, warmup = options.EffectiveWarmup;
LoopTiming timing;
double? lossFirst = null, lossLast = null;
// Every tensor a step (or an op) creates must be released by its scope (or by the loop as it goes): the
// count of live TorchSharp tensors after the loop must equal the count before it. For the training steps
// it is taken once the first step has created the optimizer state and the gradients, and read before the
// networks are disposed (building and disposing TorchSharp layers moves the count by itself).
long liveBefore = Tensor.TotalCount, leaked;
if (options.Case == BenchCase.Op)
{
    timing = OpOverhead.Time(warmup, iters, options.DType);
    leaked = Tensor.TotalCount - liveBefore;
}
else if (options.Case == BenchCase.OpRaw)
{
    timing = RawNativeOp.Time(warmup, iters, options.DType);
    leaked = Tensor.TotalCount - liveBefore;
}
else
{
    using var step = options.Case == BenchCase.Mlp
        ? VaeTrainingStep.Mlp(options.Seed, options.DType, options.Optimizer == "fused")
        : VaeTrainingStep.Conv(options.Seed, options.DType, options.Optimizer == "fused");
    // The first step's loss shows whether both sides start from the same weights and data.
    lossFirst = step.Run(readLoss: true);
    liveBefore = Tensor.TotalCount;
    timing = StepTimer.Time(() => step.Run(), Math.Max(0, warmup - 1), iters);
    lossLast = step.Run(readLoss: true);
    leaked = Tensor.TotalCount - liveBefore;
}

var result = new BenchResult
{
    Case = options.Case == BenchCase.OpRaw ? "op-raw" : options.Case.ToString().ToLowerInvariant(),
    Iters = iters,
    Warmup = warmup,
    Threads = torch.get_num_threads(),
    Dtype = options.DType == ScalarType.Float64 ? "float64" : "float32",
    Seed = options.Seed,
    Optimizer = options.Case is BenchCase.Mlp or BenchCase.Conv ? options.Optimizer : null,
    MsPerIter = timing.MeanMs,
    MsMedianIter = timing.MedianMs,
    MsMinIter = timing.MinMs,
    LossFirst = lossFirst,
    LossLast = lossLast,
    Torch = RuntimeInfo.TorchVersion(),
    TorchsharpVersion = RuntimeInfo.TorchSharpVersion(),
    Blas = RuntimeInfo.LoadedBlas(),
    BlasInfo = RuntimeInfo.BlasInfo(),
    OmpWaitPolicy = RuntimeInfo.OmpWaitPolicy(),
    LeakedTensors = leaked,
};
Console.WriteLine(result.ToJson());
return 0;
