using System.Globalization;

namespace Microsoft.ML.Vae.Bench;

/// <summary>The whole-run 2-D cases that train a library model end to end.</summary>
public enum ToyRunCase
{
    /// <summary>S-IntroVAE on a 2-D toy (<c>--case soft-intro-2d</c>): the library's SoftIntroProgram under the Trainer.</summary>
    SoftIntro2d,
    /// <summary>The plain-VAE baseline of the S-IntroVAE paper (<c>--case toy-vae</c>): SoftIntroPresets.ToyVae under the Trainer.</summary>
    ToyVae,
}

/// <summary>
/// Command-line settings of a whole-run 2-D case. <c>--case soft-intro-2d</c> takes the same
/// <c>--iters</c>, <c>--warmup</c>, <c>--threads</c>, <c>--batch</c> and <c>--seed</c> flags as
/// bench/soft_intro_2d.py, with the same defaults, so both sides run the same schedule.
/// </summary>
public sealed class ToyRunOptions
{
    /// <summary>The case names this parser accepts after <c>--case</c>.</summary>
    public static IReadOnlyList<string> CaseNames { get; } = ["soft-intro-2d", "toy-vae"];

    /// <summary>Which run (default <see cref="ToyRunCase.SoftIntro2d"/>).</summary>
    public ToyRunCase Case { get; private set; } = ToyRunCase.SoftIntro2d;

    /// <summary>Total training iterations (default 30,000, the paper's 2-D budget).</summary>
    public int Iterations { get; private set; } = 30_000;

    /// <summary>
    /// Plain-VAE warm-up iterations of soft-intro-2d (default 2,000, "num_vae"); the learning-rate
    /// milestones stay at 10,000 and 15,000 as in the PyTorch script. Ignored by toy-vae, whose whole
    /// run is the VAE objective and whose milestones scale with <see cref="Iterations"/> / 30,000 as
    /// 'vae train' scales them.
    /// </summary>
    public int Warmup { get; private set; } = 2000;

    /// <summary>libtorch intra-op threads (default 2).</summary>
    public int Threads { get; private set; } = 2;

    /// <summary>Batch size (default 512).</summary>
    public int BatchSize { get; private set; } = 512;

    /// <summary>Seed of libtorch's generator (default 0).</summary>
    public long Seed { get; private set; }

    /// <summary>The 2-D data set (default 8gaussians); its β's come from SoftIntroPresets.</summary>
    public string Data { get; private set; } = "8gaussians";

    /// <summary>
    /// Prior of soft-intro-2d: "standard" (default, N(0, I)), "mog" (data-initialized mixture of
    /// K = 64 Gaussians, Monte-Carlo KL with 100 samples, trained with the decoder) or "vamp" (the
    /// paper's VampPrior converted to that mixture 100 iterations before the warm-up ends).
    /// </summary>
    public string Prior { get; private set; } = "standard";

    /// <summary>Adaptive variance clipping of a learned prior (default off, as in 'vae train' without --clip-variance).</summary>
    public bool ClipVariance { get; private set; }

    /// <summary>Responsibility-regularization weight λ_H of a learned prior (default 0).</summary>
    public double Responsibility { get; private set; }

    /// <summary>
    /// How a learned prior's log-densities are computed: "fused" (default, the fused CPU kernel) or
    /// "generic" (the [K, N] matrix product and logsumexp, for comparison).
    /// </summary>
    public string MixtureKernel { get; private set; } = "fused";

    /// <summary>
    /// The literal two-step S-IntroVAE iteration (SoftIntroOptions.ShareForwards = false), as the authors' code runs
    /// it, instead of the default that computes the decoder outputs shared by both players once.
    /// </summary>
    public bool Literal { get; private set; }

    /// <summary>Where to write the trained model as model.zip (default: not written).</summary>
    public string? Output { get; private set; }

    /// <summary>Usage text printed after a bad argument.</summary>
    public const string Usage =
        "usage: Microsoft.ML.Vae.Bench --case soft-intro-2d|toy-vae [--iters N] [--warmup W] [--threads T] [--batch B] [--seed S]\n" +
        "       [--data 8gaussians|2spirals|checkerboard|rings] [--prior standard|mog|vamp] [--clip-variance] [--responsibility W]\n" +
        "       [--mixture-kernel fused|generic] [--literal] [--out model.zip]";

    /// <summary>True when <paramref name="args"/> names one of <see cref="CaseNames"/> after <c>--case</c>.</summary>
    public static bool Handles(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (int i = 0; i + 1 < args.Count; i++)
            if (args[i] == "--case" && CaseNames.Contains(args[i + 1])) return true;
        return false;
    }

    /// <summary>Parses the flags; throws <see cref="ArgumentException"/> with the reason on bad input.</summary>
    public static ToyRunOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var o = new ToyRunOptions();
        bool warmupGiven = false;
        for (int i = 0; i < args.Count; i++)
        {
            string name = args[i];
            if (name == "--clip-variance") { o.ClipVariance = true; continue; }
            if (name == "--literal") { o.Literal = true; continue; }
            if (i + 1 >= args.Count) throw new ArgumentException($"Option '{name}' needs a value.");
            string value = args[++i];
            switch (name)
            {
                case "--case":
                    o.Case = value switch
                    {
                        "soft-intro-2d" => ToyRunCase.SoftIntro2d,
                        "toy-vae" => ToyRunCase.ToyVae,
                        _ => throw new ArgumentException($"--case expects {string.Join(" or ", CaseNames)} here, got '{value}'."),
                    };
                    break;
                case "--iters": o.Iterations = Int(name, value, 1); break;
                case "--warmup": o.Warmup = Int(name, value, 0); warmupGiven = true; break;
                case "--threads": o.Threads = Int(name, value, 1); break;
                case "--batch": o.BatchSize = Int(name, value, 2); break;
                case "--seed":
                    o.Seed = long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
                        ? s : throw new ArgumentException($"--seed expects an integer, got '{value}'.");
                    break;
                case "--data": o.Data = value; break;
                case "--prior":
                    o.Prior = value is "standard" or "mog" or "vamp"
                        ? value : throw new ArgumentException($"--prior expects standard, mog or vamp, got '{value}'.");
                    break;
                case "--responsibility":
                    o.Responsibility = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var w) && w >= 0 && double.IsFinite(w)
                        ? w : throw new ArgumentException($"--responsibility expects a non-negative number, got '{value}'.");
                    break;
                case "--mixture-kernel":
                    o.MixtureKernel = value is "fused" or "generic"
                        ? value : throw new ArgumentException($"--mixture-kernel expects fused or generic, got '{value}'.");
                    break;
                case "--out": o.Output = value; break;
                default: throw new ArgumentException($"Unknown option '{name}'.");
            }
        }
        if (o.Case == ToyRunCase.ToyVae && (o.Prior != "standard" || o.ClipVariance || o.Responsibility > 0 || warmupGiven))
            throw new ArgumentException("toy-vae trains the plain VAE with the N(0, I) prior for the whole run; --prior, --clip-variance, --responsibility and --warmup do not apply.");
        if (o.Prior == "standard" && (o.ClipVariance || o.Responsibility > 0))
            throw new ArgumentException("--clip-variance and --responsibility need a learned prior (--prior mog or vamp).");
        if (o.Case == ToyRunCase.SoftIntro2d && o.Warmup > o.Iterations)
            throw new ArgumentException($"--warmup ({o.Warmup}) must not exceed --iters ({o.Iterations}).");
        return o;
    }

    private static int Int(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n : throw new ArgumentException($"{name} expects an integer ≥ {min}, got '{value}'.");
}
