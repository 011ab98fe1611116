using System.Diagnostics;
using System.Text;

namespace Microsoft.ML.Vae.Package.Tests;

/// <summary>Runs a command (the dotnet CLI, an installed tool) with a time limit and returns its exit code and output.</summary>
internal static class DotnetProcess
{
    public sealed record Result(int ExitCode, string Output)
    {
        /// <summary>Fails the test with the command's output when it did not exit with 0.</summary>
        public Result EnsureSuccess(string what)
        {
            if (ExitCode != 0) Assert.Fail($"{what} exited with {ExitCode}:\n{Tail(Output)}");
            return this;
        }
    }

    public static Result Run(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        // No first-run banners, no telemetry, and no build server outliving the test.
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) info.Environment[k] = v;

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            Assert.Fail($"{fileName} {string.Join(' ', arguments)} did not finish in {timeout.TotalSeconds:F0} s:\n{Tail(output.ToString())}");
        }
        process.WaitForExit(); // drains the asynchronous readers
        lock (output) return new Result(process.ExitCode, output.ToString());
    }

    public static Result Dotnet(string workingDirectory, TimeSpan timeout, params string[] arguments) =>
        Run("dotnet", arguments, workingDirectory, timeout);

    private static string Tail(string text, int lines = 60) =>
        string.Join('\n', text.Split('\n').TakeLast(lines));
}
