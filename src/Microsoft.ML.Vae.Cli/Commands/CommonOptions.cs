using Microsoft.ML.Vae.Cli.CommandLine;
using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Persistence;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Cli.Commands;

/// <summary>Options and helpers shared by several commands.</summary>
internal static class CommonOptions
{
    public static readonly OptionSpec Device = new("device", false, "cpu, cuda or cuda:N (default cpu)", "device");
    public static readonly OptionSpec Threads = new("threads", false, $"libtorch intra-op threads, 1 to {MaxThreads} (default: all cores; more than 4 per core is reduced to that)", "n");

    /// <summary>Largest --threads accepted; beyond 4 threads per core the value is reduced with a warning (more only adds contention).</summary>
    public const int MaxThreads = 256;
    public static readonly OptionSpec Seed = new("seed", false, "random seed (default 0)", "n");
    public static readonly OptionSpec Model = new("model", false, "path of a model.zip written by 'vae train'", "model.zip");

    /// <summary>Applies --threads and parses --device (with a clear error when CUDA is unavailable).</summary>
    public static Device ApplyRuntime(ParsedArguments args)
    {
        if (args.GetLong("threads", 1, MaxThreads) is long t)
        {
            // Hundreds of spinning OpenMP threads on a few cores made the first step take minutes with no output.
            int useful = 4 * Environment.ProcessorCount;
            if (t > useful)
            {
                Console.Error.WriteLine($"vae: warning: --threads {t} is more than 4 per core on this {Environment.ProcessorCount}-core machine; using {useful}.");
                t = useful;
            }
            torch.set_num_threads((int)t);
        }
        var text = args.Get("device");
        if (text is null) return torch.CPU;
        Device device;
        try { device = Devices.Parse(text); }
        catch (ArgumentException e) { throw new UsageException(e.Message); }
        return Devices.EnsureAvailable(device);
    }

    /// <summary>Loads a model file named by --model, with a clear error when it is missing.</summary>
    public static IPersistableModel LoadModel(ParsedArguments args, Device device)
    {
        var path = args.Require("model");
        // A folder, FIFO or device given as the model is refused before it is opened (a FIFO would block forever).
        RegularFile.Ensure(path, "Model file");
        return ModelStore.Load(path, device);
    }

    /// <summary>Creates the folder of an output file.</summary>
    public static void EnsureParent(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
    }
}
