using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Bench;

/// <summary>The workloads the binding benchmark can time.</summary>
public enum BenchCase
{
    /// <summary>One training step of the 2-D MLP VAE (batch 512).</summary>
    Mlp,
    /// <summary>One training step of the dpVAE <c>beta_mnist</c> conv VAE (batch 64, latent 2).</summary>
    Conv,
    /// <summary>A 1-element add plus dispose: the fixed cost of one op through TorchSharp.</summary>
    Op,
    /// <summary>The same add on raw handles straight into LibTorchSharp, bypassing TorchSharp's managed layer (C# only).</summary>
    OpRaw,
}

/// <summary>
/// Command-line settings of one benchmark run. The same flags, with the same defaults, are
/// understood by the PyTorch counterpart (bench/binding_bench.py) so both sides run identical work.
/// </summary>
public sealed class BenchOptions
{
    /// <summary>Which workload to time. Default <see cref="BenchCase.Mlp"/>.</summary>
    public BenchCase Case { get; init; } = BenchCase.Mlp;

    /// <summary>Timed iterations; null picks the case's default (mlp 200, conv 50, op and op-raw 100 000).</summary>
    public int? Iterations { get; init; }

    /// <summary>
    /// Untimed iterations before timing; null picks the case's default (mlp 20, conv 5, op and op-raw
    /// 500 000). The op cases warm up for about half a second so that .NET's tiered compilation has
    /// replaced the quick first-tier code of TorchSharp's hot path before timing starts.
    /// </summary>
    public int? Warmup { get; init; }

    /// <summary>libtorch intra-op threads, set explicitly with <c>torch.set_num_threads</c>. Default 2.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Seed of libtorch's generator, set before the networks are built. Default 0.</summary>
    public long Seed { get; init; }

    /// <summary>Element type of parameters and data (Float32 or Float64). Default Float32.</summary>
    public ScalarType DType { get; init; } = ScalarType.Float32;

    /// <summary>
    /// Which Adam the training-step cases use: "fused" (default), the library's <c>FusedAdam</c>, which its
    /// trainers use; or "torchsharp", TorchSharp's own <c>torch.optim.Adam</c>.
    /// </summary>
    public string Optimizer { get; init; } = "fused";

    /// <summary>Timed iterations actually used.</summary>
    public int EffectiveIterations => Iterations ?? Case switch { BenchCase.Mlp => 200, BenchCase.Conv => 50, _ => 100_000 };

    /// <summary>Warm-up iterations actually used.</summary>
    public int EffectiveWarmup => Warmup ?? Case switch { BenchCase.Mlp => 20, BenchCase.Conv => 5, _ => 500_000 };

    /// <summary>Usage text printed for <c>--help</c> and after a bad argument.</summary>
    public const string Usage =
        "usage: Microsoft.ML.Vae.Bench [--case mlp|conv|op|op-raw] [--iters N] [--warmup N] [--threads T] [--seed S] [--dtype float32|float64] [--optimizer fused|torchsharp]";

    /// <summary>Parses <c>--name value</c> pairs; throws <see cref="ArgumentException"/> with the reason on bad input.</summary>
    public static BenchOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new BenchOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            if (i + 1 >= args.Count) throw new ArgumentException($"Option '{name}' needs a value.");
            string value = args[++i];
            o = name switch
            {
                "--case" => o.With(c: ParseCase(value)),
                "--iters" => o.With(iters: PositiveInt(name, value)),
                "--warmup" => o.With(warmup: NonNegativeInt(name, value)),
                "--threads" => o.With(threads: PositiveInt(name, value)),
                "--seed" => o.With(seed: long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
                    ? s : throw new ArgumentException($"--seed expects an integer, got '{value}'.")),
                "--dtype" => o.With(dtype: value switch
                {
                    "float32" => ScalarType.Float32,
                    "float64" => ScalarType.Float64,
                    _ => throw new ArgumentException($"--dtype expects float32 or float64, got '{value}'."),
                }),
                "--optimizer" => o.With(optimizer: value is "fused" or "torchsharp"
                    ? value : throw new ArgumentException($"--optimizer expects fused or torchsharp, got '{value}'.")),
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }
        if (o.Case is (BenchCase.Op or BenchCase.OpRaw) && o.EffectiveIterations < OpOverhead.Blocks)
            throw new ArgumentException($"The op case times {OpOverhead.Blocks} blocks and needs --iters of at least {OpOverhead.Blocks}.");
        return o;
    }

    private BenchOptions With(BenchCase? c = null, int? iters = null, int? warmup = null, int? threads = null, long? seed = null, ScalarType? dtype = null,
        string? optimizer = null) => new()
    {
        Case = c ?? Case,
        Iterations = iters ?? Iterations,
        Warmup = warmup ?? Warmup,
        Threads = threads ?? Threads,
        Seed = seed ?? Seed,
        DType = dtype ?? DType,
        Optimizer = optimizer ?? Optimizer,
    };

    private static BenchCase ParseCase(string value) => value switch
    {
        "mlp" => BenchCase.Mlp,
        "conv" => BenchCase.Conv,
        "op" => BenchCase.Op,
        "op-raw" => BenchCase.OpRaw,
        _ => throw new ArgumentException($"--case expects mlp, conv, op or op-raw, got '{value}'."),
    };

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : throw new ArgumentException($"{name} expects a positive integer, got '{value}'.");

    private static int NonNegativeInt(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 0
            ? n : throw new ArgumentException($"{name} expects a non-negative integer, got '{value}'.");
}
