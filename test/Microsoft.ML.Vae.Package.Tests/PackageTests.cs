using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Microsoft.ML.Vae.Package.Tests;

/// <summary>
/// The packages as a user meets them: what `dotnet pack` puts in them, a fresh project that adds them from a
/// folder feed (everything else from the package registry) and runs a featurizer → classifier pipeline through
/// save and reload, and the `vae` tool installed from the feed.
/// </summary>
[TestClass]
public sealed class PackageTests
{
    private static PackageFeed? _feed;

    private static PackageFeed Feed => _feed ?? throw new InvalidOperationException("The feed was not packed.");

    [ClassInitialize]
    public static void Pack(TestContext _) => _feed = PackageFeed.Create();

    [ClassCleanup]
    public static void Cleanup() => _feed?.Dispose();

    [TestMethod]
    public void Packages_DeclareDependenciesLicenseReadmeAndSymbols()
    {
        foreach (var id in PackageFeed.PackageIds)
        {
            var nuspec = Feed.Nuspec(id);
            Assert.AreEqual(id, Element(nuspec, "id").Value);
            Assert.AreEqual(Feed.Version, Element(nuspec, "version").Value);
            Assert.AreEqual("MIT", Element(nuspec, "license").Value, $"{id}: license");
            Assert.AreEqual("README.md", Element(nuspec, "readme").Value, $"{id}: readme");
            var entries = Feed.Entries(Feed.PackagePath(id));
            CollectionAssert.Contains(entries.ToList(), "README.md", $"{id}: README.md in the package");
            CollectionAssert.Contains(entries.ToList(), "LICENSE", $"{id}: LICENSE in the package");
            Assert.IsTrue(File.Exists(Feed.SymbolPackagePath(id)), $"{id}: no symbol package");
            Assert.IsTrue(Feed.Entries(Feed.SymbolPackagePath(id)).Any(e => e.EndsWith(".pdb")), $"{id}: no .pdb in the symbol package");
        }

        var core = Dependencies(Feed.Nuspec("Microsoft.ML.Vae.Core"));
        Assert.AreEqual("0.107.0", core["TorchSharp"]);
        Assert.IsTrue(core.ContainsKey("SkiaSharp"));
        Assert.IsFalse(core.Keys.Any(k => k.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase) || k.StartsWith("TorchSharp-", StringComparison.OrdinalIgnoreCase)),
            "a library must not pick the user's TorchSharp backend");
        var coreEntries = Feed.Entries(Feed.PackagePath("Microsoft.ML.Vae.Core"));
        CollectionAssert.Contains(coreEntries.ToList(), "lib/net10.0/Microsoft.ML.Vae.Core.dll");
        CollectionAssert.Contains(coreEntries.ToList(), "lib/net10.0/Microsoft.ML.Vae.Core.xml");
        CollectionAssert.Contains(coreEntries.ToList(), "buildTransitive/Microsoft.ML.Vae.Core.targets");
        CollectionAssert.Contains(coreEntries.ToList(), "buildTransitive/glibcxx_compat.py");

        var layer = Dependencies(Feed.Nuspec("Microsoft.ML.Vae"));
        Assert.AreEqual(Feed.Version, layer["Microsoft.ML.Vae.Core"]);
        Assert.IsTrue(layer.ContainsKey("Microsoft.ML"));
        Assert.IsTrue(layer.ContainsKey("Microsoft.ML.ImageAnalytics"));
        Assert.IsFalse(layer.Keys.Any(k => k.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase)));

        var tool = Feed.Nuspec("Microsoft.ML.Vae.Cli");
        Assert.IsTrue(tool.Descendants().Any(e => e.Name.LocalName == "packageType" && (string?)e.Attribute("name") == "DotnetTool"), "the CLI is not a .NET tool package");
        var toolEntries = Feed.Entries(Feed.PackagePath("Microsoft.ML.Vae.Cli"));
        CollectionAssert.Contains(toolEntries.ToList(), "tools/net10.0/any/vae.dll");
        CollectionAssert.Contains(toolEntries.ToList(), "tools/net10.0/any/DotnetToolSettings.xml");
        var runtimes = toolEntries.Where(e => e.StartsWith("tools/net10.0/any/runtimes/")).Select(e => e.Split('/')[4]).Distinct().ToArray();
        Assert.AreEqual(1, runtimes.Length, $"the tool carries one platform's natives, got {string.Join(", ", runtimes)}");
    }

    [TestMethod]
    public void FreshProject_AddsThePackages_TrainsSavesAndReloadsWithIdenticalPredictions()
    {
        RequireLinuxX64();
        string app = Directory.CreateDirectory(Path.Combine(Feed.Root, "FreshApp")).FullName;
        string template = Path.Combine(AppContext.BaseDirectory, "FreshProject");
        File.WriteAllText(Path.Combine(app, "FreshApp.csproj"), File.ReadAllText(Path.Combine(template, "FreshApp.csproj.in"))
            .Replace("@VAE_VERSION@", Feed.Version).Replace("@LIBTORCH_VERSION@", LibTorchVersion()));
        File.Copy(Path.Combine(template, "Program.cs"), Path.Combine(app, "Program.cs"));
        WriteNuGetConfig(app);

        DotnetProcess.Dotnet(app, TimeSpan.FromMinutes(5), "build", "-c", "Release", "-nologo").EnsureSuccess("dotnet build of the fresh project");
        string output = Path.Combine(app, "bin", "Release", "net10.0");
        AssertGlibcxxFixMatchesTheSystem(output);

        var run = DotnetProcess.Run(Path.Combine(output, "FreshApp"), [Path.Combine(app, "model.zip")], app, TimeSpan.FromMinutes(5))
            .EnsureSuccess("the fresh project");
        StringAssert.Contains(run.Output, "identical predictions: 200 rows");
        var accuracy = double.Parse(Regex.Match(run.Output, @"micro accuracy: ([0-9.]+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.IsTrue(accuracy > 0.9, $"two well-separated classes, micro accuracy {accuracy}");
    }

    [TestMethod]
    public void Tool_InstallsFromTheFeed_TrainsAndDescribesAModel()
    {
        RequireLinuxX64();
        string work = Directory.CreateDirectory(Path.Combine(Feed.Root, "tool")).FullName;
        WriteNuGetConfig(work);
        string toolPath = Path.Combine(work, "bin");
        DotnetProcess.Dotnet(work, TimeSpan.FromMinutes(5), "tool", "install", "Microsoft.ML.Vae.Cli", "--version", Feed.Version,
            "--tool-path", toolPath, "--add-source", Feed.FeedDirectory).EnsureSuccess("dotnet tool install");

        string vae = Path.Combine(toolPath, "vae");
        string run = Path.Combine(work, "run");
        DotnetProcess.Run(vae, ["train", "--model", "vae", "--data", "8gaussians", "--iterations", "20", "--out", run], work, TimeSpan.FromMinutes(3))
            .EnsureSuccess("vae train");
        Assert.IsTrue(File.Exists(Path.Combine(run, "model.zip")), "vae train wrote no model.zip");
        var info = DotnetProcess.Run(vae, ["info", "--model", Path.Combine(run, "model.zip")], work, TimeSpan.FromMinutes(1)).EnsureSuccess("vae info");
        StringAssert.Contains(info.Output, "20");
    }

    /// <summary>The fix ran where, and only where, the system's libstdc++ needs it (docs/setup.md).</summary>
    private static void AssertGlibcxxFixMatchesTheSystem(string output)
    {
        string marker = Path.Combine(output, "glibcxx-compat.txt");
        Assert.IsTrue(File.Exists(marker), "the package's buildTransitive targets did not run in the fresh project");
        string outcome = File.ReadAllText(marker).Trim();
        string script = Path.Combine(PackageFeed.RepoRoot, "eng", "glibcxx_compat.py");
        string native = Path.Combine(output, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        string status = DotnetProcess.Run("python3", [script, "status", native], output, TimeSpan.FromMinutes(1)).EnsureSuccess("glibcxx_compat status").Output.Trim();
        Assert.AreEqual(outcome == "needed" ? "patched" : "stock", status, $"check said '{outcome}'");
    }

    private static void WriteNuGetConfig(string folder) =>
        // Adds the folder feed; the machine's own sources (the package registry) still apply.
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="vae-local-feed" value="{Feed.FeedDirectory}" />
              </packageSources>
            </configuration>
            """);

    private static string LibTorchVersion()
    {
        var props = XDocument.Load(Path.Combine(PackageFeed.RepoRoot, "Directory.Packages.props"));
        return props.Descendants("LibTorchVersion").Single().Value;
    }

    private static void RequireLinuxX64()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
            Assert.Inconclusive("The fresh-project and tool tests use the CPU backend for Linux x64.");
    }

    private static XElement Element(XDocument nuspec, string name) =>
        nuspec.Descendants().First(e => e.Name.LocalName == name);

    private static Dictionary<string, string> Dependencies(XDocument nuspec) =>
        nuspec.Descendants().Where(e => e.Name.LocalName == "dependency")
            .ToDictionary(e => (string)e.Attribute("id")!, e => (string)e.Attribute("version")!);
}
