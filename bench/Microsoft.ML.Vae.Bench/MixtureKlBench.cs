using System.Globalization;
using System.Text.Json;
using Microsoft.ML.Vae.Core.Kernels;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Bench;

/// <summary>
/// The pieces of one learned-prior Soft-IntroVAE iteration, in isolation: drawing the six Monte-Carlo noise
/// sets, and one Monte-Carlo KL to a K = 64 mixture (512 posteriors × 100 samples, d = 2), forward and
/// backward, as the introspective step asks for it — the posterior's gradient with a stop-gradient prior
/// (five of the six KLs) and the prior's gradient with a detached posterior (the sixth) — with the fused
/// kernels (<see cref="FusedOps"/>, C# autograd functions) and with the generic formulation (libtorch ops).
/// Prints one JSON line of median milliseconds.
/// </summary>
public static class MixtureKlBench
{
    private const string CaseName = "mixture-kl";

    /// <summary>Usage text.</summary>
    public const string Usage = "usage: Microsoft.ML.Vae.Bench --case mixture-kl [--iters N] [--threads T] [--seed S] [--kernels fused|generic|both] [--vector-bits 0|128|256|512] [--paired true|false] [--openmp-team true|false]";

    /// <summary>True when the arguments select this case.</summary>
    public static bool Handles(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (int i = 0; i + 1 < args.Count; i++)
            if (args[i] == "--case" && args[i + 1] == CaseName) return true;
        return false;
    }

    /// <summary>Parses the flags, runs the case and prints its JSON line; 2 on bad arguments.</summary>
    public static int RunCommandLine(IReadOnlyList<string> args)
    {
        int iters = 50, threads = Environment.ProcessorCount;
        long seed = 0;
        string kernels = "both";
        try
        {
            for (int i = 0; i < args.Count; i += 2)
            {
                if (i + 1 >= args.Count) throw new ArgumentException($"Option '{args[i]}' needs a value.");
                string value = args[i + 1];
                switch (args[i])
                {
                    case "--case": break;
                    case "--iters": iters = Positive(args[i], value); break;
                    case "--threads": threads = Positive(args[i], value); break;
                    case "--seed":
                        seed = long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
                            ? s : throw new ArgumentException($"--seed expects an integer, got '{value}'.");
                        break;
                    case "--kernels":
                        kernels = value is "fused" or "generic" or "both"
                            ? value : throw new ArgumentException($"--kernels expects fused, generic or both, got '{value}'.");
                        break;
                    case "--vector-bits":
                        FusedKernelSupport.ForcedVectorBits = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bits)
                            ? bits : throw new ArgumentException($"--vector-bits expects 0, 128, 256 or 512, got '{value}'.");
                        break;
                    case "--paired": FusedKernelSupport.PairedSweeps = Flag(args[i], value); break;
                    case "--openmp-team": OpenMpTeam.Enabled = Flag(args[i], value); break;
                    default: throw new ArgumentException($"Unknown option '{args[i]}'.");
                }
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
        Console.WriteLine(JsonSerializer.Serialize(Run(iters, threads, seed, kernels)));
        return 0;
    }

    /// <summary>
    /// Times every piece <paramref name="iters"/> times (after a short warm-up) on <paramref name="threads"/> threads;
    /// <paramref name="kernels"/> ("fused", "generic" or "both") picks the KL formulations timed.
    /// </summary>
    public static Dictionary<string, object> Run(int iters, int threads, long seed, string kernels = "both")
    {
        torch.set_num_threads(threads);
        torch.manual_seed(seed);
        const long b = 512, d = 2, k = 64;
        const int m = 100;
        using var scope = torch.NewDisposeScope();
        var mean = torch.randn(b, d).requires_grad_();
        var logVar = (torch.randn(b, d) * 0.3 - 1).detach().requires_grad_();
        var prior = new MixturePriorParameters(torch.randn(k, d).requires_grad_(), (torch.randn(k, d) * 0.3).detach().requires_grad_(),
            torch.randn(k).log_softmax(0).detach().requires_grad_());
        var target = prior.Detach();
        var noise = MixturePriorKl.DrawKlNoise(mean, m);

        double Median(Action step)
        {
            var timing = StepTimer.Time(() =>
            {
                using var inner = torch.NewDisposeScope();
                step();
            }, Math.Min(5, iters), iters);
            return Math.Round(timing.MedianMs, 3);
        }

        var result = new Dictionary<string, object>
        {
            ["side"] = "csharp",
            ["case"] = CaseName,
            ["threads"] = torch.get_num_threads(),
            ["iters"] = iters,
            ["posteriors"] = b,
            ["samples"] = m,
            ["components"] = k,
            ["dim"] = d,
            ["vectorBits"] = FusedKernelSupport.VectorBits,
            ["pairedSweeps"] = FusedKernelSupport.PairedSweepsActive,
            ["openMpTeam"] = OpenMpTeam.Enabled && OpenMpTeam.Available,
            ["noiseSixSetsFusedMs"] = Median(() => FusedOps.MonteCarloNoise(6, m, b, d)),
            ["noiseSixSetsRandnMs"] = Median(() => torch.randn(6, m, b, d).square().sum(3).mean([1])),
        };
        bool fused = MixturePriorDensity.UseFusedKernel;
        try
        {
            foreach (var (kernel, useFused) in new[] { ("fused", true), ("generic", false) })
            {
                if (kernels != "both" && kernels != kernel) continue;
                MixturePriorDensity.UseFusedKernel = useFused;
                result[$"klPosteriorGradient_{kernel}Ms"] = Median(() =>
                    torch.autograd.grad([MixturePriorKl.Estimate(mean, logVar, target, noise).PerSample.sum()], [mean, logVar]));
                result[$"klPriorGradient_{kernel}Ms"] = Median(() =>
                    torch.autograd.grad([MixturePriorKl.Estimate(mean.detach(), logVar.detach(), prior, noise).PerSample.sum()], [prior.Means, prior.LogVars, prior.LogWeights]));
            }
        }
        finally
        {
            MixturePriorDensity.UseFusedKernel = fused;
        }
        result["torch"] = RuntimeInfo.TorchVersion();
        result["torchSharpVersion"] = RuntimeInfo.TorchSharpVersion();
        result["blas"] = RuntimeInfo.LoadedBlas();
        result["blasInfo"] = RuntimeInfo.BlasInfo();
        result["ompWaitPolicy"] = RuntimeInfo.OmpWaitPolicy();
        result["gompSpinCount"] = RuntimeInfo.GompSpinCount();
        return result;
    }

    private static bool Flag(string name, string value) =>
        bool.TryParse(value, out var flag) ? flag : throw new ArgumentException($"{name} expects true or false, got '{value}'.");

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n : throw new ArgumentException($"{name} expects a positive integer, got '{value}'.");
}
