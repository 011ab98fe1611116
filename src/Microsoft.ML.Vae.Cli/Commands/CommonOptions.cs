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
    public static readonly OptionSpec Threads = new("threads", false, "libtorch intra-op threads (default: all cores)", "n");
    public static readonly OptionSpec Seed = new("seed", false, "random seed (default 0)", "n");
    public static readonly OptionSpec Model = new("model", false, "path of a model.zip written by 'vae train'", "model.zip");

    /// <summary>Applies --threads and parses --device (with a clear error when CUDA is unavailable).</summary>
    public static Device ApplyRuntime(ParsedArguments args)
    {
        if (args.GetLong("threads", 1, 1024) is long t) torch.set_num_threads((int)t);
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
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file '{path}' does not exist.");
        return ModelStore.Load(path, device);
    }

    /// <summary>Creates the folder of an output file.</summary>
    public static void EnsureParent(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
    }
}
