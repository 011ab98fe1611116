namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>A temporary folder for tests that write files; deleted on dispose.</summary>
internal sealed class DataTestFiles : IDisposable
{
    public DataTestFiles()
    {
        Root = Path.Combine(Path.GetTempPath(), "vae-core-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    /// <summary>The folder.</summary>
    public string Root { get; }

    /// <summary>A path inside the folder.</summary>
    public string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { /* a leftover temp folder is harmless */ }
    }
}
