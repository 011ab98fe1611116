using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Vae.Bench;

/// <summary>
/// One run's outcome, printed as a single JSON line with the same keys as the PyTorch side's, so
/// bench/binding_compare.py can put the two next to each other.
/// </summary>
public sealed record BenchResult
{
    /// <summary>"csharp" here, "pytorch" on the other side.</summary>
    public string Side { get; init; } = "csharp";
    /// <summary>mlp, conv, op or op-raw.</summary>
    public required string Case { get; init; }
    /// <summary>Timed iterations.</summary>
    public required int Iters { get; init; }
    /// <summary>Untimed warm-up iterations.</summary>
    public required int Warmup { get; init; }
    /// <summary>libtorch intra-op threads in effect while timing.</summary>
    public required int Threads { get; init; }
    /// <summary>float32 or float64.</summary>
    public required string Dtype { get; init; }
    /// <summary>Generator seed.</summary>
    public required long Seed { get; init; }
    /// <summary>The Adam of the training-step cases ("fused": the library's FusedAdam; "torchsharp": torch.optim.Adam); null for the op cases.</summary>
    public string? Optimizer { get; init; }
    /// <summary>Total timed time / iterations, milliseconds.</summary>
    public required double MsPerIter { get; init; }
    /// <summary>Median per-iteration time, milliseconds (op case: per op within a block of ops).</summary>
    public required double MsMedianIter { get; init; }
    /// <summary>Fastest iteration, milliseconds (op case: per op in the fastest block); least disturbed by other load.</summary>
    public required double MsMinIter { get; init; }
    /// <summary>Loss of the first (warm-up) step; null for the op case.</summary>
    public double? LossFirst { get; init; }
    /// <summary>Loss of the step right after the timed ones (step warmup + iters + 1); null for the op case.</summary>
    public double? LossLast { get; init; }
    /// <summary>libtorch version.</summary>
    public required string Torch { get; init; }
    /// <summary>TorchSharp version (C# only).</summary>
    public required string TorchsharpVersion { get; init; }
    /// <summary>BLAS library files mapped into the process (empty when libtorch has its BLAS built in).</summary>
    public required IReadOnlyList<string> Blas { get; init; }
    /// <summary>The BLAS libtorch was built with (its BLAS_INFO, e.g. "mkl"; C# only).</summary>
    public required string BlasInfo { get; init; }
    /// <summary>OMP_WAIT_POLICY as seen by native code.</summary>
    public required string OmpWaitPolicy { get; init; }
    /// <summary>Tensors still alive after the run that were not alive before it (C# only; must be 0).</summary>
    public required long LeakedTensors { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The single-line JSON form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
