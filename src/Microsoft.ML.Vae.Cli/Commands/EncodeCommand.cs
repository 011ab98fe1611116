using System.Globalization;
using System.Text;
using Microsoft.ML.Vae.Cli.CommandLine;
using Microsoft.ML.Vae.Cli.Data;
using Microsoft.ML.Vae.Core.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Cli.Commands;

/// <summary>vae encode: latent means of a dataset as CSV (with the label when there is one).</summary>
internal sealed class EncodeCommand : ICommand
{
    public string Name => "encode";
    public string Summary => "write the latent means of a dataset as CSV";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        CommonOptions.Model,
        new("data", false, "dataset to encode (the test split when there is one)", "dataset"),
        new("out", false, "output CSV", "latents.csv"),
        new("limit", false, "encode only the first N samples", "n"),
        new("count", false, "samples to draw from a 2-D sampler (default 5000)", "n"),
        CommonOptions.Seed, CommonOptions.Device, CommonOptions.Threads,
    ];

    public int Run(ParsedArguments args, CancellationToken cancellationToken)
    {
        var outPath = args.Require("out");
        var spec = args.Require("data");
        var device = CommonOptions.ApplyRuntime(args);
        using var model = CommonOptions.LoadModel(args, device);
        torch.manual_seed(args.GetLong("seed", 0) ?? 0);
        using var data = CliDatasets.Resolve(spec);
        using var scope = torch.NewDisposeScope();
        Tensor features;
        Tensor? labels = null;
        if (data.IsToy) features = data.Sampler!.Sample(args.GetLong("count", 1, 10_000_000) ?? 5000);
        else
        {
            var set = data.Evaluation;
            long n = Math.Min(set.Count, args.GetLong("limit", 1) ?? set.Count);
            features = set.Features.narrow(0, 0, n);
            labels = set.Labels?.narrow(0, 0, n);
        }
        var codes = RepresentationMetrics.Encode(model, features).cpu().data<float>().ToArray();
        long[] labelValues = labels?.contiguous().data<long>().ToArray() ?? [];
        int d = model.LatentDim;
        long rows = codes.Length / d;
        CommonOptions.EnsureParent(outPath);
        using var w = new StreamWriter(outPath, false, new UTF8Encoding(false));
        var header = Enumerable.Range(0, d).Select(i => $"z{i}").ToList();
        if (labels is not null) header.Add("label");
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
            if (labels is not null) sb.Append(',').Append(labelValues[r].ToString(CultureInfo.InvariantCulture));
            w.WriteLine(sb);
        }
        Console.Out.WriteLine($"wrote {rows} latent vectors of size {d} to {outPath}");
        return 0;
    }
}
