using Microsoft.ML.Vae.Cli.CommandLine;
using Microsoft.ML.Vae.Core.Data;

namespace Microsoft.ML.Vae.Cli.Data;

/// <summary>Turns the --data syntax of the tool into data.</summary>
internal static class CliDatasets
{
    public static readonly string[] Descriptions =
        [.. ToyDatasets.Names, "fashion-mnist", "idx:<images>[,<labels>]", "cifar10:<dir>", "images:<folder>"];

    /// <summary>Resolves a dataset argument; <paramref name="limit"/> caps the training samples.</summary>
    public static CliData Resolve(string spec, long? limit = null, int imageSize = 64)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new UsageException("--data is empty.");
        if (ToyDatasets.IsToy(spec))
            return new CliData { Name = spec, Sampler = ToyDatasets.Create(spec) };
        if (spec == "fashion-mnist")
        {
            if (!FashionMnist.IsAvailable())
                throw new FileNotFoundException($"Fashion-MNIST was not found in '{FashionMnist.Directory}'. Install the dataset-fashion-mnist package (eng/setup.sh does) or set {FashionMnist.DirectoryVariable}.");
            var train = FashionMnist.LoadTrain(limit);
            return new CliData { Name = spec, Train = train, Test = FashionMnist.LoadTest() };
        }
        int colon = spec.IndexOf(':');
        if (colon > 0)
        {
            string kind = spec[..colon], arg = spec[(colon + 1)..];
            if (arg.Length == 0) throw new UsageException($"--data {kind}: needs a path after the colon.");
            switch (kind)
            {
                case "idx":
                {
                    var parts = arg.Split(',', 2);
                    RequireFile(parts[0]);
                    if (parts.Length == 2) RequireFile(parts[1]);
                    return new CliData { Name = spec, Train = IdxReader.Load(parts[0], parts.Length == 2 ? parts[1] : null, limit) };
                }
                case "cifar10":
                    RequireDirectory(arg);
                    return new CliData { Name = spec, Train = Cifar10Reader.LoadTrain(arg, limit), Test = TryLoad(() => Cifar10Reader.LoadTest(arg)) };
                case "images":
                    RequireDirectory(arg);
                    return new CliData { Name = spec, Train = ImageFolder.Load(arg, new ImageFolderOptions { Size = imageSize, Limit = limit }) };
            }
        }
        throw new UsageException($"Unknown dataset '{spec}'. Known: {string.Join(" ", Descriptions)}.");
    }

    private static TensorDataset? TryLoad(Func<TensorDataset> load)
    {
        try { return load(); }
        catch (FileNotFoundException) { return null; }
    }

    private static void RequireFile(string path)
    {
        // Also refuses folders, FIFOs and devices before anything opens them.
        Core.Persistence.RegularFile.Ensure(path, "Data file");
    }

    private static void RequireDirectory(string path)
    {
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"Data folder '{path}' does not exist.");
    }
}
