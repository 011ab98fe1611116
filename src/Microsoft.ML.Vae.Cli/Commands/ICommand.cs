using Microsoft.ML.Vae.Cli.CommandLine;

namespace Microsoft.ML.Vae.Cli.Commands;

/// <summary>One verb of the tool (train, sample, evaluate, encode, info).</summary>
internal interface ICommand
{
    string Name { get; }
    string Summary { get; }
    IReadOnlyList<OptionSpec> Options { get; }

    /// <summary>Runs the command; returns the process exit code.</summary>
    int Run(ParsedArguments args, CancellationToken cancellationToken);
}
