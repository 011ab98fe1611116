using System.Runtime.InteropServices;
using Microsoft.ML.Vae.Core.Imaging;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Vae.Core.Data;

/// <summary>Options of <see cref="ImageFolder.Load(string, ImageFolderOptions)"/>.</summary>
public sealed class ImageFolderOptions
{
    /// <summary>Side S of the square output images, in pixels. Default 64.</summary>
    public int Size { get; set; } = 64;

    /// <summary>Channels: 3 (RGB) or 1 (gray); images are converted on decoding. Default 3.</summary>
    public int Channels { get; set; } = 3;

    /// <summary>
    /// Crop the largest centred square before resizing, keeping the aspect ratio (true), or
    /// stretch the whole image to a square (false). Default true.
    /// </summary>
    public bool CenterCrop { get; set; } = true;

    /// <summary>Read at most this many images (in sorted path order); null reads all. Default null.</summary>
    public long? Limit { get; set; }

    /// <summary>
    /// Largest width × height of one image, checked from its header before it is decoded (a decompression bomb is
    /// refused without spending memory). Default <see cref="ImageCodec.DefaultMaxPixels"/> (50 megapixels).
    /// </summary>
    public long MaxPixels { get; set; } = ImageCodec.DefaultMaxPixels;
}

/// <summary>
/// Loads a folder of images (PNG, JPEG, BMP, GIF, TGA, PNM) into float32 [N, C, S, S] in [0, 1],
/// decoded by <see cref="ImageCodec"/> and resized bilinearly. When the folder holds only
/// subfolders of images, each subfolder is a class (sorted by name) and the data set is labelled.
/// </summary>
public static class ImageFolder
{
    /// <summary>File extensions read (case-insensitive).</summary>
    public static IReadOnlyList<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tga", ".pnm", ".ppm", ".pgm"];

    /// <summary>Loads every image under <paramref name="directory"/> resized to <paramref name="size"/>².</summary>
    public static TensorDataset Load(string directory, int size, int channels = 3) =>
        Load(directory, new ImageFolderOptions { Size = size, Channels = channels });

    /// <summary>Loads every image under <paramref name="directory"/> as <paramref name="options"/> say.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">The folder holds no images, or an image cannot be decoded.</exception>
    public static TensorDataset Load(string directory, ImageFolderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Size <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Size, "Image size must be positive.");
        if (options.Channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(options), options.Channels, "Channels must be 1 or 3.");
        if (options.Limit is <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Limit, "The image limit must be positive.");
        if (options.MaxPixels <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.MaxPixels, "The pixel limit must be positive.");

        var (files, labels) = List(directory);
        if (options.Limit is long limit && files.Count > limit)
        {
            files = files.Take((int)limit).ToList();
            labels = labels?.Take((int)limit).ToArray();
        }

        int s = options.Size, c = options.Channels;
        using var scope = torch.NewDisposeScope();
        var output = torch.empty(new long[] { files.Count, c, s, s });
        for (int i = 0; i < files.Count; i++)
        {
            // One decode and one resize per file; everything temporary dies with the inner scope.
            using var inner = torch.NewDisposeScope();
            Tensor hwc;
            try { hwc = ImageCodec.ReadImage(files[i], c, options.MaxPixels); }
            catch (Exception e) when (e is InvalidDataException or ArgumentException or NotSupportedException or ExternalException)
            {
                throw new InvalidDataException($"Cannot decode image '{files[i]}': {e.Message}", e);
            }
            output.select(0, i).copy_(Resize(hwc, s, options.CenterCrop));
        }
        var y = labels is null ? null : torch.tensor(labels);
        return new TensorDataset(output, y);
    }

    /// <summary>
    /// The class names (subfolder names, sorted) when <paramref name="directory"/> is organised
    /// one subfolder per class, else an empty list.
    /// </summary>
    public static IReadOnlyList<string> ClassNames(string directory)
    {
        EnsureExists(directory);
        return HasOnlyClassFolders(directory) ? SortedSubfolders(directory).Select(d => Path.GetFileName(d)!).ToArray() : [];
    }

    /// <summary>Resizes a uint8 image [H, W, C] to float32 [C, S, S] in [0, 1].</summary>
    internal static Tensor Resize(Tensor hwc, int size, bool centerCrop)
    {
        long h = hwc.size(0), w = hwc.size(1);
        var chw = hwc.permute(2, 0, 1);
        if (centerCrop && h != w)
        {
            long side = Math.Min(h, w);
            chw = chw.narrow(1, (h - side) / 2, side).narrow(2, (w - side) / 2, side);
            h = w = side;
        }
        var x = chw.unsqueeze(0).to(ScalarType.Float32).div_(255.0);
        if (h != size || w != size)
        {
            // Bilinear interpolation alone aliases when shrinking a lot; average down to about 2× first.
            if (h >= 4 * size && w >= 4 * size) x = F.adaptive_avg_pool2d(x, new long[] { 2 * size, 2 * size });
            x = F.interpolate(x, new long[] { size, size }, mode: InterpolationMode.Bilinear, align_corners: false).clamp_(0, 1);
        }
        return x.squeeze(0);
    }

    private static (List<string> Files, long[]? Labels) List(string directory)
    {
        EnsureExists(directory);
        if (HasOnlyClassFolders(directory))
        {
            var files = new List<string>();
            var labels = new List<long>();
            var classes = SortedSubfolders(directory);
            for (int k = 0; k < classes.Length; k++)
            {
                foreach (var f in SortedImages(classes[k], SearchOption.AllDirectories))
                {
                    files.Add(f);
                    labels.Add(k);
                }
            }
            if (files.Count == 0) throw new InvalidDataException($"The class folders under '{directory}' hold no images ({string.Join(", ", Extensions)}).");
            return (files, labels.ToArray());
        }
        var all = SortedImages(directory, SearchOption.AllDirectories).ToList();
        if (all.Count == 0) throw new InvalidDataException($"Folder '{directory}' holds no images ({string.Join(", ", Extensions)}).");
        return (all, null);
    }

    private static void EnsureExists(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"Image folder '{directory}' does not exist.");
    }

    private static bool HasOnlyClassFolders(string directory) =>
        !SortedImages(directory, SearchOption.TopDirectoryOnly).Any() && SortedSubfolders(directory).Length > 0;

    private static string[] SortedSubfolders(string directory)
    {
        var dirs = Directory.GetDirectories(directory);
        Array.Sort(dirs, StringComparer.Ordinal);
        return dirs;
    }

    private static IEnumerable<string> SortedImages(string directory, SearchOption option)
    {
        var files = (option == SearchOption.TopDirectoryOnly ? Directory.EnumerateFiles(directory) : FilesUnder(directory))
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .ToArray();
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>
    /// Every file under <paramref name="directory"/>, recursively. A symbolic link to a folder is entered only the first
    /// time its target is met: .NET's own recursion follows such links, so one link to a parent folder repeated every
    /// image 40 times (until the system's link depth ran out) and two of them made the walk exponential, i.e. a hang.
    /// </summary>
    private static IEnumerable<string> FilesUnder(string directory)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        pending.Push(directory);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            if (!seen.Add(FolderKey(dir))) continue;
            foreach (var f in Directory.EnumerateFiles(dir)) yield return f;
            foreach (var d in Directory.EnumerateDirectories(dir)) pending.Push(d);
        }
    }

    /// <summary>The folder a path leads to: a link's final target, else the full path.</summary>
    private static string FolderKey(string dir)
    {
        var info = new DirectoryInfo(dir);
        if (info.LinkTarget is null) return Path.TrimEndingDirectorySeparator(info.FullName);
        try { return Path.TrimEndingDirectorySeparator((Directory.ResolveLinkTarget(dir, returnFinalTarget: true) ?? info).FullName); }
        catch (IOException) { return Path.TrimEndingDirectorySeparator(info.FullName); }
    }
}
