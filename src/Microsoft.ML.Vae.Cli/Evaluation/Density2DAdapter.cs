using System.Text.Json.Nodes;
using Microsoft.ML.Vae.Cli.Data;
using Microsoft.ML.Vae.Core.Evaluation;
using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Cli.Evaluation;

/// <summary>The 2-D density benchmark metrics exactly as the S-IntroVAE code computes them (kl, jsd, gnElbo).</summary>
internal static class Density2DAdapter
{
    public static IEnumerable<(string, JsonNode?)> Compute(IVaeModel model, CliData data, MetricSettings s)
    {
        if (model.SampleShape.Length != 1 || model.SampleShape[0] != 2)
            throw new ArgumentException($"The 2-D metrics need a model of 2-D data; this one has samples of shape [{string.Join(", ", model.SampleShape)}].");
        torch.manual_seed(s.Seed);
        var r = Density2DMetrics.Compute(model, data.Sampler!);
        yield return ("kl", r.Kl);
        yield return ("jsd", r.Jsd);
        yield return ("gnElbo", r.GnElbo);
        yield return ("dataNegElbo", r.DataNegElbo);
        yield return ("gridNegElbo", r.GridNegElbo);
        yield return ("sampleEntropy", r.SampleEntropy);
    }
}
