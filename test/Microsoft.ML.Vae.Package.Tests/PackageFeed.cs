using System.IO.Compression;
using System.Xml.Linq;

namespace Microsoft.ML.Vae.Package.Tests;

/// <summary>
/// The three shipped packages, packed once per test run from the repository's Release build into a folder feed
/// under a version no other run uses (so NuGet's package cache never serves a stale copy), and removed with
/// their cache folders afterwards.
/// </summary>
internal sealed class PackageFeed : IDisposable
{
    public static readonly string[] PackageIds = ["Microsoft.ML.Vae.Core", "Microsoft.ML.Vae", "Microsoft.ML.Vae.Cli"];

    private static readonly string[] Projects =
        ["src/Microsoft.ML.Vae.Core/Microsoft.ML.Vae.Core.csproj", "src/Microsoft.ML.Vae/Microsoft.ML.Vae.csproj", "src/Microsoft.ML.Vae.Cli/Microsoft.ML.Vae.Cli.csproj"];

#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    private PackageFeed(string root, string version)
    {
        Root = root;
        Version = version;
    }

    /// <summary>A temp folder that holds the feed and everything the tests create.</summary>
    public string Root { get; }

    public string FeedDirectory => Path.Combine(Root, "feed");

    /// <summary>The unique version the packages were packed with.</summary>
    public string Version { get; }

    public static string RepoRoot { get; } = FindRepoRoot();

    public string PackagePath(string id) => Path.Combine(FeedDirectory, $"{id}.{Version}.nupkg");

    public string SymbolPackagePath(string id) => Path.Combine(FeedDirectory, $"{id}.{Version}.snupkg");

    public static PackageFeed Create()
    {
        string version = $"0.1.0-pkgtest.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var feed = new PackageFeed(Directory.CreateTempSubdirectory("vae-packages-").FullName, version);
        Directory.CreateDirectory(feed.FeedDirectory);
        foreach (var project in Projects)
        {
            DotnetProcess.Dotnet(RepoRoot, TimeSpan.FromMinutes(4), "pack", project, "-c", Configuration, "--no-build", "-nologo",
                    "-o", feed.FeedDirectory, $"-p:PackageVersion={version}")
                .EnsureSuccess($"dotnet pack {project}");
        }
        return feed;
    }

    /// <summary>The .nuspec of a packed package.</summary>
    public XDocument Nuspec(string id)
    {
        using var zip = ZipFile.OpenRead(PackagePath(id));
        var entry = zip.Entries.Single(e => e.FullName == $"{id}.nuspec");
        using var stream = entry.Open();
        return XDocument.Load(stream);
    }

    /// <summary>Every entry name of a packed package.</summary>
    public IReadOnlyList<string> Entries(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return zip.Entries.Select(e => e.FullName).ToArray();
    }

    public void Dispose()
    {
        TryDelete(Root);
        // The restores and tool installs extracted these versions into the global package folder.
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in PackageIds) TryDelete(Path.Combine(cache, id.ToLowerInvariant(), Version));
    }

    private static void TryDelete(string path)
    {
        try { if (Directory.Exists(path)) Directory.Delete(path, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Microsoft.ML.Vae.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No Microsoft.ML.Vae.sln above {AppContext.BaseDirectory}: the package tests run from the repository's build output.");
    }
}
