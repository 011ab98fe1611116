namespace Microsoft.ML.Vae.Core.Data;

/// <summary>
/// Fashion-MNIST (60 000 training and 10 000 test grayscale 28×28 images of clothing, ten
/// classes) from its four IDX files. Images load as float32 [N, 1, 28, 28] in [0, 1], labels as
/// int64 [N] in 0 … 9.
/// </summary>
/// <remarks>
/// The files are looked up in <see cref="DirectoryVariable"/> when that environment variable is
/// set, else in <see cref="DefaultDirectory"/> (where the <c>dataset-fashion-mnist</c> package
/// installs them). Compressed (<c>.gz</c>) and uncompressed copies are both accepted.
/// </remarks>
public static class FashionMnist
{
    /// <summary>Where the <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Environment variable that overrides <see cref="DefaultDirectory"/>.</summary>
    public const string DirectoryVariable = "VAE_FASHION_MNIST_DIR";

    /// <summary>Number of training images.</summary>
    public const int TrainCount = 60_000;

    /// <summary>Number of test images.</summary>
    public const int TestCount = 10_000;

    /// <summary>Image side in pixels.</summary>
    public const int ImageSize = 28;

    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ];

    /// <summary>The directory searched: <see cref="DirectoryVariable"/> when set, else <see cref="DefaultDirectory"/>.</summary>
    public static string Directory
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable(DirectoryVariable);
            return string.IsNullOrWhiteSpace(overridden) ? DefaultDirectory : overridden;
        }
    }

    /// <summary>True when all four files are present in <paramref name="directory"/> (default: <see cref="Directory"/>).</summary>
    public static bool IsAvailable(string? directory = null)
    {
        var dir = directory ?? Directory;
        return TryFind(dir, "train-images-idx3-ubyte") is not null && TryFind(dir, "train-labels-idx1-ubyte") is not null
            && TryFind(dir, "t10k-images-idx3-ubyte") is not null && TryFind(dir, "t10k-labels-idx1-ubyte") is not null;
    }

    /// <summary>Loads the training split (60 000 samples, or the first <paramref name="limit"/>).</summary>
    /// <exception cref="FileNotFoundException">The files are not installed.</exception>
    public static TensorDataset LoadTrain(long? limit = null, string? directory = null) =>
        Load(directory ?? Directory, "train", limit);

    /// <summary>Loads the test split (10 000 samples, or the first <paramref name="limit"/>).</summary>
    /// <exception cref="FileNotFoundException">The files are not installed.</exception>
    public static TensorDataset LoadTest(long? limit = null, string? directory = null) =>
        Load(directory ?? Directory, "t10k", limit);

    private static TensorDataset Load(string directory, string split, long? limit)
    {
        var images = Find(directory, $"{split}-images-idx3-ubyte");
        var labels = Find(directory, $"{split}-labels-idx1-ubyte");
        return IdxReader.Load(images, labels, limit);
    }

    private static string Find(string directory, string baseName) =>
        TryFind(directory, baseName) ?? throw new FileNotFoundException(
            $"Fashion-MNIST file '{Path.Combine(directory, baseName + ".gz")}' was not found. Install the dataset-fashion-mnist " +
            $"package (or run eng/setup.sh), or set {DirectoryVariable} to a directory holding the four IDX files.",
            Path.Combine(directory, baseName + ".gz"));

    private static string? TryFind(string directory, string baseName)
    {
        foreach (var name in new[] { baseName + ".gz", baseName })
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
