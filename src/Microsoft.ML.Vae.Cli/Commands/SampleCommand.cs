using Microsoft.ML.Vae.Cli.CommandLine;
using Microsoft.ML.Vae.Cli.Data;
using Microsoft.ML.Vae.Cli.Output;
using Microsoft.ML.Vae.Core.Evaluation;
using Microsoft.ML.Vae.Core.Imaging;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Cli.Commands;

/// <summary>vae sample: normal, low-posterior or high-posterior samples as a picture.</summary>
internal sealed class SampleCommand : ICommand
{
    public string Name => "sample";
    public string Summary => "draw samples from a trained model into a PNG or JPEG";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        CommonOptions.Model,
        new("count", false, "number of samples (default 64; 5000 for 2-D)", "n"),
        new("out", false, "output picture: .png (PNG) or .jpg/.jpeg (JPEG)", "file.png"),
        new("low-posterior", true, "prior samples in holes of the aggregate posterior (needs --data)"),
        new("high-posterior", true, "aggregate-posterior samples the prior under-covers (needs --data)"),
        new("data", false, "data for the posterior-based sample sets", "dataset"),
        CommonOptions.Seed, CommonOptions.Device, CommonOptions.Threads,
    ];

    public int Run(ParsedArguments args, CancellationToken cancellationToken)
    {
        var outPath = args.Require("out");
        // The file's name decides its format; refuse a name whose format cannot be written before any work.
        if (ImageFileFormats.TryFromPath(outPath) is null)
            throw new UsageException($"--out '{outPath}': samples are written as {string.Join(", ", ImageFileFormats.Extensions)} (the extension picks PNG or JPEG).");
        if (args.Has("low-posterior") && args.Has("high-posterior")) throw new UsageException("Choose --low-posterior or --high-posterior, not both.");
        var device = CommonOptions.ApplyRuntime(args);
        long seed = args.GetLong("seed", 0) ?? 0;
        using var model = CommonOptions.LoadModel(args, device);
        bool twoD = model.SampleShape.Length == 1 && model.SampleShape[0] == 2;
        int count = (int)(args.GetLong("count", 1, 1_000_000) ?? (twoD ? 5000 : 64));
        torch.manual_seed(seed);
        CommonOptions.EnsureParent(outPath);
        if (!args.Has("low-posterior") && !args.Has("high-posterior"))
        {
            using var samples = SampleWriter.Draw(model, count);
            SampleWriter.Write(outPath, samples, model, SampleWriter.PlotRangeFor(args.Get("data")));
            Console.Out.WriteLine($"wrote {count} samples to {outPath}");
            return 0;
        }
        var spec = args.Get("data") ?? throw new UsageException("Posterior-based samples need --data (the data whose aggregate posterior is used).");
        using var data = CliDatasets.Resolve(spec);
        using var scope = torch.NewDisposeScope();
        var evalData = data.IsToy ? data.Sampler!.Sample(5000) : data.Evaluation.Features;
        using var set = args.Has("low-posterior")
            ? LowPosteriorSampler.Generate(model, evalData, count, seed: seed)
            : HighPosteriorSampler.Generate(model, evalData, count, seed: seed);
        SampleWriter.Write(outPath, set.Samples.cpu(), model, SampleWriter.PlotRangeFor(spec));
        Console.Out.WriteLine($"wrote {set.Count} {(args.Has("low-posterior") ? "low" : "high")}-posterior samples to {outPath}");
        return 0;
    }
}
