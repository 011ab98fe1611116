using System.Text.Json;
using Microsoft.ML.Vae.Cli.CommandLine;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Persistence;

namespace Microsoft.ML.Vae.Cli.Commands;

/// <summary>vae info: what a model file holds, without building the model.</summary>
internal sealed class InfoCommand : ICommand
{
    public string Name => "info";
    public string Summary => "describe a model file";
    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        CommonOptions.Model,
        new("allow-nonfinite", true, "describe a file whose weights hold NaN, ±Inf or |w| > 1e30 instead of refusing it"),
    ];

    public int Run(ParsedArguments args, CancellationToken cancellationToken)
    {
        var path = args.Require("model");
        RegularFile.Ensure(path, "Model file");
        var info = ModelStore.ReadInfo(path, new ModelLoadOptions { AllowNonFiniteWeights = args.Has("allow-nonfinite") });
        // A kind no family builds cannot be loaded by any other command: say so instead of describing it as fine.
        if (!ModelRegistry.Default.TryGetFamily(info.Config.Kind, out _))
            throw new InvalidDataException($"Model file '{path}' holds an unknown model kind '{info.Config.Kind}'. Known kinds: {string.Join(", ", ModelRegistry.Default.Kinds)}.");
        var o = Console.Out;
        o.WriteLine($"model:        {path}");
        o.WriteLine($"kind:         {info.Config.Kind}");
        o.WriteLine($"format:       {info.Config.FormatVersion} (library {info.Config.LibraryVersion})");
        o.WriteLine($"created:      {info.Config.CreatedUtc:u}");
        o.WriteLine($"sample shape: [{string.Join(", ", info.Config.SampleShape)}]");
        o.WriteLine($"latent dim:   {info.Config.LatentDim}");
        o.WriteLine($"parameters:   {info.ParameterCount:N0} in {info.TensorCount} tensors ({info.WeightsBytes:N0} bytes)");
        if (info.SuspectWeightCount > 0)
            o.WriteLine($"suspect:      {info.SuspectWeightCount:N0} weights are NaN, ±Inf or beyond ±{ModelLoadOptions.MaxAbsWeight:G0}: the model would compute NaN");
        o.WriteLine($"history:      {(info.HasHistory ? $"{info.HistoryRowCount:N0} rows" : "no")}");
        if (info.Config.Kind == "soft-intro")
            o.WriteLine($"schedule:     {info.Config.GetOptions<SoftIntroOptions>().DescribeSchedule()}");
        if (info.Config.Kind is "beta-tc" or "dp-beta-tc")
            o.WriteLine($"loss:         {(info.Config.GetOptions<DpVaeOptions>().AuthorsExactLoss ? "the authors' exact β-TCVAE loss (reproduction flags set)" : "β-TCVAE as intended (reproduction flags off)")}");
        o.WriteLine("options:");
        o.WriteLine(JsonSerializer.Serialize(info.Config.Options, new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }
}
