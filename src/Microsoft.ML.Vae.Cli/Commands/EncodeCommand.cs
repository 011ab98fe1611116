using System.Globalization;
using System.Text;
using Microsoft.ML.Vae.Cli.CommandLine;
using Microsoft.ML.Vae.Cli.Data;
using Microsoft.ML.Vae.Core.Evaluation;
using Microsoft.ML.Vae.Core.Persistence;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Cli.Commands;

/// <summary>
/// vae encode: latent means of a dataset as CSV (with the label when there is one), and/or, for a 2-D latent
/// space, a picture of the encodings with the prior's draws over them.
/// </summary>
internal sealed class EncodeCommand : ICommand
{
    public string Name => "encode";
    public string Summary => "write the latent means of a dataset as CSV";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        CommonOptions.Model,
        new("data", false, "dataset to encode (the test split when there is one)", "dataset"),
        new("out", false, "output CSV", "latents.csv"),
        new("plot", false, "2-D latents: picture of aggregate-posterior samples (blue) and prior draws (orange)", "latents.png"),
        new("limit", false, "encode at most N samples (N ≥ 1; caps --count on 2-D samplers)", "n"),
        new("count", false, "samples to draw from a 2-D sampler (default 5000)", "n"),
        CommonOptions.Seed, CommonOptions.Device, CommonOptions.Threads,
    ];

    public int Run(ParsedArguments args, CancellationToken cancellationToken)
    {
        var outPath = args.Get("out");
        var plotPath = args.Get("plot");
        if (outPath is null && plotPath is null) throw new UsageException("'vae encode' needs --out latents.csv and/or --plot latents.png.");
        var spec = args.Require("data");
        // Numbers are checked before anything is loaded, so a bad one is never silently skipped.
        long? limit = args.GetLong("limit", 1);
        long? count = args.GetLong("count", 1, 10_000_000);
        var device = CommonOptions.ApplyRuntime(args);
        using var model = CommonOptions.LoadModel(args, device);
        torch.manual_seed(args.GetLong("seed", 0) ?? 0);
        using var data = CliDatasets.Resolve(spec);
        using var scope = torch.NewDisposeScope();
        Tensor features;
        Tensor? labels = null;
        if (data.IsToy) features = data.Sampler!.Sample(Math.Min(count ?? 5000, limit ?? long.MaxValue));
        else
        {
            if (count is not null) throw new UsageException($"--count draws from a 2-D sampler; '{spec}' is a fixed data set, use --limit.");
            var set = data.Evaluation;
            long n = Math.Min(set.Count, limit ?? set.Count);
            features = set.Features.narrow(0, 0, n);
            labels = set.Labels?.narrow(0, 0, n);
        }
        if (plotPath is not null)
        {
            if (model.LatentDim != 2) throw new UsageException($"--plot draws a 2-D latent space; this model's has {model.LatentDim} dimensions.");
            // As many prior draws as encodings, each encoding one reparameterized sample of its posterior.
            using var aggregate = AggregatePosterior.FromData(model, features, maxEncodings: 5000, seed: args.GetLong("seed", 0) ?? 0);
            var encodings = aggregate.Sample(aggregate.Count);
            var draws = model.Prior.Sample(encodings.size(0));
            CommonOptions.EnsureParent(plotPath);
            Core.Imaging.LatentCoveragePlot.Save(plotPath, encodings, draws);
            Console.Out.WriteLine($"wrote {plotPath}: {encodings.size(0)} encodings (blue) and as many prior draws (orange)");
        }
        if (outPath is null) return 0;
        var codes = RepresentationMetrics.Encode(model, features).cpu().data<float>().ToArray();
        long[] labelValues = labels?.contiguous().data<long>().ToArray() ?? [];
        int d = model.LatentDim;
        long rows = codes.Length / d;
        bool labelled = labels is not null;
        AtomicFile.Write(outPath, stream =>
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            var header = Enumerable.Range(0, d).Select(i => $"z{i}").ToList();
            if (labelled) header.Add("label");
            w.WriteLine(string.Join(',', header));
            var sb = new StringBuilder();
            for (long r = 0; r < rows; r++)
            {
                sb.Clear();
                for (int j = 0; j < d; j++)
                {
                    if (j > 0) sb.Append(',');
                    sb.Append(codes[r * d + j].ToString("R", CultureInfo.InvariantCulture));
                }
                if (labelled) sb.Append(',').Append(labelValues[r].ToString(CultureInfo.InvariantCulture));
                w.WriteLine(sb);
            }
        });
        Console.Out.WriteLine($"wrote {rows} latent vectors of size {d} to {outPath}");
        return 0;
    }
}
