using System.Text.Json.Nodes;
using Microsoft.ML.Vae.Cli.Data;
using Microsoft.ML.Vae.Core.Models;

namespace Microsoft.ML.Vae.Cli.Evaluation;

/// <summary>The 2-D density benchmark metrics (kl, jsd, gnElbo) of the S-IntroVAE code.</summary>
internal static class Density2DAdapter
{
    public static IEnumerable<(string, JsonNode?)> Compute(IVaeModel model, CliData data, MetricSettings s)
    {
        throw new NotSupportedException("2-D density metrics are not wired yet.");
    }
}
