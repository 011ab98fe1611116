using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Core.Training;
using TorchSharp;

namespace Microsoft.ML.Vae.Bench;

/// <summary>
/// Whole 2-D training runs through the library: the S-IntroVAE program (or the plain-VAE baseline)
/// under the <see cref="Trainer"/>, timed from the trainer's start to its return, with the warm-up and
/// the introspective phase timed apart. Prints one JSON line (<see cref="ToyRunResult"/>).
/// </summary>
public static class ToyRun
{
    /// <summary>Parses <paramref name="args"/>, runs the case and prints its JSON line; returns the exit code.</summary>
    public static int RunCommandLine(IReadOnlyList<string> args)
    {
        ToyRunOptions options;
        try
        {
            options = ToyRunOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(ToyRunOptions.Usage);
            return 2;
        }
        Console.WriteLine(Run(options).ToJson());
        return 0;
    }

    /// <summary>The library settings a run uses (see <see cref="ToyRunOptions"/> for the schedule rules).</summary>
    public static SoftIntroOptions BuildOptions(ToyRunOptions run)
    {
        ArgumentNullException.ThrowIfNull(run);
        SoftIntroOptions o;
        if (run.Case == ToyRunCase.ToyVae)
        {
            o = SoftIntroPresets.ToyVae(run.Data);
            double f = (double)run.Iterations / o.Iterations;
            o.LrMilestones = o.LrMilestones.Select(m => Math.Max(1, (long)Math.Round(m * f))).ToArray();
            o.Iterations = run.Iterations;
            o.WarmupIterations = run.Iterations;
        }
        else
        {
            o = run.Prior == "standard"
                ? SoftIntroPresets.Toy(run.Data)
                : SoftIntroPresets.ToyLearnedPrior(run.Data, clipVariance: run.ClipVariance, responsibilityWeight: run.Responsibility);
            if (run.Prior == "mog") o.PriorKind = SoftIntroPriorKind.Mixture;
            o.Iterations = run.Iterations;
            o.WarmupIterations = run.Warmup;
            // As 'vae train' does for a shortened warm-up: convert the VampPrior inside the warm-up.
            o.VampConversionLead = Math.Min(o.VampConversionLead, Math.Max(0, o.WarmupIterations - 1));
        }
        o.BatchSize = run.BatchSize;
        o.ShareForwards = !run.Literal;
        o.Validate();
        return o;
    }

    /// <summary>Trains the configured model and returns the timings.</summary>
    public static ToyRunResult Run(ToyRunOptions run)
    {
        ArgumentNullException.ThrowIfNull(run);
        torch.set_num_threads(run.Threads);
        torch.manual_seed(run.Seed);
        MixturePriorDensity.UseFusedKernel = run.MixtureKernel == "fused";
        var options = BuildOptions(run);
        var clock = Stopwatch.StartNew();
        using var model = new SoftIntroVae(options);
        using var program = SoftIntroTraining.CreateProgram(model, options);
        var source = new SamplerBatchSource(ToyDatasets.Create(run.Data), options.BatchSize);
        SoftIntroTraining.InitializePrior(model, source);
        long warmup = Math.Min(options.WarmupIterations, run.Iterations);
        var trainer = new Trainer(program, new TrainerOptions
        {
            Iterations = run.Iterations,
            // A log point at the end of the warm-up splits the two phases' times.
            LogInterval = (int)(warmup > 0 ? Gcd(warmup, run.Iterations) : run.Iterations),
            Seed = run.Seed,
            Threads = run.Threads,
        });
        var phases = new PhaseClock(warmup);
        var setupSeconds = clock.Elapsed.TotalSeconds;
        var result = trainer.Train(source, phases);
        clock.Stop();
        double trainSeconds = clock.Elapsed.TotalSeconds - setupSeconds;
        double warmupSeconds = warmup == 0 ? 0 : phases.WarmupEnd?.TotalSeconds ?? double.NaN;
        long intro = run.Iterations - warmup;
        if (run.Output is not null)
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(run.Output));
            if (dir is not null) Directory.CreateDirectory(dir);
            ModelStore.Save(model, run.Output, result.History);
        }
        return new ToyRunResult
        {
            Case = run.Case == ToyRunCase.ToyVae ? "toy-vae" : "soft-intro-2d",
            Data = run.Data,
            Prior = run.Prior,
            MixtureKernel = run.Prior == "standard" ? null : run.MixtureKernel,
            Literal = run.Literal,
            Iters = run.Iterations,
            Warmup = warmup,
            Threads = torch.get_num_threads(),
            Batch = options.BatchSize,
            Seed = run.Seed,
            Seconds = Math.Round(trainSeconds, 3),
            SetupSeconds = Math.Round(setupSeconds, 3),
            MsPerIter = Math.Round(1000 * trainSeconds / run.Iterations, 4),
            WarmupSeconds = Math.Round(warmupSeconds, 3),
            IntroSeconds = Math.Round(trainSeconds - warmupSeconds, 3),
            MsPer1000Intro = intro > 0 ? Math.Round(1_000_000 * (trainSeconds - warmupSeconds) / intro, 1) : null,
            PeakRssMiB = PeakMemory.ResidentMiB(),
            FinalTerms = result.FinalTerms.ToDictionary(kv => kv.Key, kv => Math.Round(kv.Value, 6)),
            Torch = RuntimeInfo.TorchVersion(),
            TorchSharpVersion = RuntimeInfo.TorchSharpVersion(),
            Blas = RuntimeInfo.LoadedBlas(),
            BlasInfo = RuntimeInfo.BlasInfo(),
            OmpWaitPolicy = RuntimeInfo.OmpWaitPolicy(),
            GompSpinCount = RuntimeInfo.GompSpinCount(),
        };
    }

    private static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);

    /// <summary>Records the trainer's elapsed time at the log point that ends the warm-up (reports arrive synchronously).</summary>
    private sealed class PhaseClock(long warmup) : IProgress<TrainingProgress>
    {
        public TimeSpan? WarmupEnd { get; private set; }

        public void Report(TrainingProgress value)
        {
            if (value.Step == warmup && !value.IsEvaluation && value.Message is null) WarmupEnd = value.Elapsed;
        }
    }
}

/// <summary>The JSON line of a whole 2-D run; bench/soft_intro_2d.py prints the same keys for the PyTorch side.</summary>
public sealed record ToyRunResult
{
    /// <summary>"csharp" here, "pytorch" on the other side.</summary>
    public string Side { get; init; } = "csharp";
    /// <summary>soft-intro-2d or toy-vae.</summary>
    public required string Case { get; init; }
    /// <summary>The 2-D data set.</summary>
    public required string Data { get; init; }
    /// <summary>standard, mog or vamp.</summary>
    public required string Prior { get; init; }
    /// <summary>fused or generic mixture log-densities (learned priors only).</summary>
    public string? MixtureKernel { get; init; }
    /// <summary>True for the literal two-step iteration (no shared decoder outputs).</summary>
    public bool Literal { get; init; }
    /// <summary>Training iterations.</summary>
    public required int Iters { get; init; }
    /// <summary>Plain-VAE warm-up iterations among them.</summary>
    public required long Warmup { get; init; }
    /// <summary>libtorch intra-op threads.</summary>
    public required int Threads { get; init; }
    /// <summary>Batch size.</summary>
    public required int Batch { get; init; }
    /// <summary>Generator seed.</summary>
    public required long Seed { get; init; }
    /// <summary>Wall time of the training run (the trainer's whole Train call).</summary>
    public required double Seconds { get; init; }
    /// <summary>Model construction and prior initialization before training, not in <see cref="Seconds"/>.</summary>
    public required double SetupSeconds { get; init; }
    /// <summary><see cref="Seconds"/> per iteration in milliseconds.</summary>
    public required double MsPerIter { get; init; }
    /// <summary>Wall time of the warm-up iterations.</summary>
    public required double WarmupSeconds { get; init; }
    /// <summary>Wall time of the introspective iterations.</summary>
    public required double IntroSeconds { get; init; }
    /// <summary>Milliseconds per 1,000 introspective iterations (null when there are none).</summary>
    public double? MsPer1000Intro { get; init; }
    /// <summary>Peak resident memory (VmHWM) of the process in MiB.</summary>
    public double? PeakRssMiB { get; init; }
    /// <summary>Loss terms of the last step.</summary>
    public required IReadOnlyDictionary<string, double> FinalTerms { get; init; }
    /// <summary>libtorch version.</summary>
    public required string Torch { get; init; }
    /// <summary>TorchSharp version (C# only).</summary>
    public required string TorchSharpVersion { get; init; }
    /// <summary>BLAS files the process mapped (empty when libtorch has its BLAS built in).</summary>
    public required IReadOnlyList<string> Blas { get; init; }
    /// <summary>The BLAS libtorch was built with (its BLAS_INFO, e.g. "mkl"; C# only).</summary>
    public required string BlasInfo { get; init; }
    /// <summary>OMP_WAIT_POLICY as native code sees it.</summary>
    public required string OmpWaitPolicy { get; init; }
    /// <summary>GOMP_SPINCOUNT as native code sees it.</summary>
    public required string GompSpinCount { get; init; }

    /// <summary>One JSON line with camelCase keys.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
