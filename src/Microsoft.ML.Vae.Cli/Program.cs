using System.Text;
using Microsoft.ML.Vae.Cli.CommandLine;
using Microsoft.ML.Vae.Cli.Commands;
using Microsoft.ML.Vae.Core.Engine;

namespace Microsoft.ML.Vae.Cli;

/// <summary>Entry point: dispatches to a command and turns every failure into one line on stderr.</summary>
public static class Program
{
    internal static readonly ICommand[] Commands =
    [
        new TrainCommand(), new SampleCommand(), new EvaluateCommand(), new EncodeCommand(), new InfoCommand(), new CompareCommand(),
    ];

    /// <summary>Exit code for bad arguments.</summary>
    public const int UsageError = 2;

    /// <summary>Exit code for failures while running (missing files, corrupt models, diverged training).</summary>
    public const int RuntimeError = 1;

    public static int Main(string[] args)
    {
        // libtorch's OpenMP runtime reads its wait policy once, when TorchSharp loads it: set it before any tensor call.
        TorchRuntime.ConfigureThreadingEnvironment();
        return Run(args, Console.Out, Console.Error);
    }

    /// <summary>Runs the tool with the given streams (tests call this in-process).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // First Ctrl+C stops training at a step boundary (a checkpoint is written); a second one kills.
            if (!cts.IsCancellationRequested) { e.Cancel = true; cts.Cancel(); }
        };
        Console.CancelKeyPress += onCancel;
        var previousOut = Console.Out;
        var previousError = Console.Error;
        try
        {
            Console.SetOut(stdout);
            // Warnings go to Console.Error; in-process callers see them on their own writer.
            Console.SetError(stderr);
            if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
            {
                stdout.Write(Usage());
                return args.Length == 0 ? UsageError : 0;
            }
            if (args[0] == "--version")
            {
                stdout.WriteLine(typeof(Program).Assembly.GetName().Version?.ToString(3));
                return 0;
            }
            var command = Commands.FirstOrDefault(c => c.Name == args[0])
                ?? throw new UsageException($"Unknown command '{args[0]}'. Commands: {string.Join(", ", Commands.Select(c => c.Name))}.");
            var rest = args.Skip(1).ToArray();
            if (rest.Contains("--help") || rest.Contains("-h"))
            {
                stdout.Write(CommandHelp(command));
                return 0;
            }
            var parsed = ParsedArguments.Parse(command.Name, rest, command.Options);
            return command.Run(parsed, cts.Token);
        }
        catch (UsageException e)
        {
            stderr.WriteLine($"vae: {OneLine(e.Message)}");
            return UsageError;
        }
        catch (Exception e)
        {
            stderr.WriteLine($"vae: {Describe(e)}");
            if (Environment.GetEnvironmentVariable("VAE_DEBUG") == "1") stderr.WriteLine(e);
            return RuntimeError;
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static string Describe(Exception e)
    {
        var inner = e;
        while (inner is AggregateException or System.Reflection.TargetInvocationException or TypeInitializationException && inner.InnerException is not null) inner = inner.InnerException;
        string kind = inner switch
        {
            FileNotFoundException or DirectoryNotFoundException => "file not found",
            InvalidDataException => "invalid file",
            // Reads name their file; failed writes come from the atomic writer, which says the old file is unchanged.
            IOException => "i/o error",
            ArgumentException => "invalid input",
            NotSupportedException => "not supported",
            Microsoft.ML.Vae.Core.Training.TrainingDivergedException => "training diverged",
            // TorchSharp reports every libtorch failure this way; the message's first line is libtorch's reason.
            System.Runtime.InteropServices.ExternalException => "libtorch error",
            DllNotFoundException => "libtorch could not be loaded",
            _ => "error",
        };
        return $"{kind}: {OneLine(inner.Message)}";
    }

    internal static string OneLine(string message)
    {
        var first = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? message;
        return first.Length > 600 ? first[..600] + "…" : first;
    }

    internal static string Usage()
    {
        var sb = new StringBuilder();
        sb.AppendLine("vae — train, sample and evaluate variational autoencoders on libtorch.");
        sb.AppendLine();
        sb.AppendLine("usage: vae <command> [options]     (vae <command> --help for its options)");
        sb.AppendLine();
        foreach (var c in Commands) sb.AppendLine($"  {c.Name,-10} {c.Summary}");
        sb.AppendLine();
        sb.AppendLine("datasets: " + string.Join(" ", Data.CliDatasets.Descriptions));
        return sb.ToString();
    }

    internal static string CommandHelp(ICommand c)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"vae {c.Name} — {c.Summary}");
        sb.AppendLine();
        foreach (var o in c.Options)
        {
            string left = o.IsFlag ? $"--{o.Name}" : $"--{o.Name} <{o.ValueName ?? "value"}>";
            sb.AppendLine($"  {left,-28} {o.Help}");
        }
        return sb.ToString();
    }
}
