using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>
/// TorchScript modules saved by Python load and run with the same outputs. The module is generated
/// by the test itself when python3 with torch is available.
/// </summary>
[TestClass]
public sealed class ScriptModuleTests : TorchTestBase
{
    private const string PythonPath = "/usr/bin/python3";

    // A small conv net with batch norm and dropout, one training pass for non-trivial running
    // statistics, then scripted in evaluation mode. It writes the module, a fixed input and the
    // module's output for it (raw little-endian float32).
    private const string GeneratorScript = """
        import struct, sys, torch
        torch.manual_seed(1234)

        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
                self.bn = torch.nn.BatchNorm2d(4)
                self.drop = torch.nn.Dropout(0.5)
                self.fc = torch.nn.Linear(4 * 4 * 4, 3)

            def forward(self, x: torch.Tensor) -> torch.Tensor:
                h = torch.relu(self.bn(self.conv(x)))
                h = torch.nn.functional.max_pool2d(h, 2)
                return self.fc(self.drop(h.flatten(1)))

        def write(path, t):
            with open(path, "wb") as f:
                f.write(struct.pack("<%df" % t.numel(), *t.flatten().tolist()))

        out = sys.argv[1]
        net = Net()
        net(torch.randn(8, 1, 8, 8) * 2 + 1)
        net.eval()
        torch.jit.script(net).save(out + "/net.pt")
        x = torch.randn(2, 1, 8, 8)
        with torch.no_grad():
            y = net(x)
        write(out + "/input.f32", x)
        write(out + "/output.f32", y)
        """;

    private static string? _directory;
    private static string? _skipReason;

    [ClassInitialize]
    public static void GenerateModule(TestContext context)
    {
        if (!File.Exists(PythonPath)) { _skipReason = $"{PythonPath} is not installed."; return; }
        _directory = Directory.CreateTempSubdirectory("vae-torchscript-").FullName;
        var script = Path.Combine(_directory, "make_module.py");
        File.WriteAllText(script, GeneratorScript);
        var info = new ProcessStartInfo(PythonPath) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        info.ArgumentList.Add(_directory);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill();
            _skipReason = "python3 did not finish generating the TorchScript module within 120 s.";
            return;
        }
        if (process.ExitCode != 0)
        {
            var error = stderr.Result;
            _skipReason = error.Contains("No module named 'torch'", StringComparison.Ordinal)
                ? "python3 cannot import torch."
                : $"python3 failed to generate the module: {error}";
        }
    }

    [ClassCleanup]
    public static void DeleteModule()
    {
        if (_directory is not null && Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
    }

    private static string Generated(string name)
    {
        if (_skipReason is not null) Assert.Inconclusive(_skipReason);
        return Path.Combine(_directory!, name);
    }

    private static float[] ReadFloats(string path) => MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(path)).ToArray();

    [TestMethod]
    public void ScriptedModule_MatchesPythonOutput()
    {
        var modulePath = Generated("net.pt");
        using var module = ScriptModule.Load(modulePath);
        Assert.AreEqual(Device.Cpu, module.Device);
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(ReadFloats(Generated("input.f32")), 2, 1, 8, 8);
        var expected = ReadFloats(Generated("output.f32"));
        var y = module.Forward(x);
        TensorAssert.Shape([2, 3], y);
        TensorAssert.Close(expected.Select(v => (double)v).ToArray(), y, 1e-5);
        // Running twice in evaluation mode is deterministic.
        CollectionAssert.AreEqual(y.ToArray<float>(), module.Forward(x).ToArray<float>());
    }

    [TestMethod]
    public void SetTraining_SwitchesDropoutAndBatchNorm()
    {
        using var module = ScriptModule.Load(Generated("net.pt"));
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(ReadFloats(Generated("input.f32")), 2, 1, 8, 8);
        var evaluation = module.Forward(x).ToArray<float>();
        module.SetTraining(true);
        Torch.ManualSeed(5);
        var training = module.Forward(x).ToArray<float>();
        CollectionAssert.AreNotEqual(evaluation, training, "Batch statistics and dropout change the output.");
        module.SetTraining(false);
        var back = module.Forward(x).ToArray<float>();
        // The training pass updated the running statistics, so only the mode is compared: deterministic again.
        CollectionAssert.AreEqual(back, module.Forward(x).ToArray<float>());
    }

    [TestMethod]
    public void Forward_WithAWrongInput_IsAnError_NotACrash()
    {
        using var module = ScriptModule.Load(Generated("net.pt"));
        using var scope = Torch.NewDisposeScope();
        // The interpreter's multi-line TorchScript traceback becomes the inner exception; the
        // message is libtorch's one-line cause.
        var ex = Assert.ThrowsExactly<ArgumentException>(() => module.Forward(Torch.Zeros([2, 3, 8, 8])));
        Assert.Contains("expected input[2, 3, 8, 8] to have 1 channels, but got 3 channels instead", ex.Message);
        Assert.IsFalse(ex.Message.Contains('\n'), ex.Message);
        Assert.IsInstanceOfType<TorchException>(ex.InnerException);
        Assert.Contains("Traceback of TorchScript", ex.InnerException!.Message);
        var missing = Assert.ThrowsExactly<ArgumentException>(() => module.Forward());
        Assert.Contains("missing value for argument 'x'", missing.Message);
        Assert.ThrowsExactly<ArgumentNullException>(() => module.Forward(null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => module.Forward([null!]));
    }

    [TestMethod]
    public void Load_MissingFile_IsFileNotFoundException()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.pt");
        var ex = Assert.ThrowsExactly<FileNotFoundException>(() => ScriptModule.Load(path));
        Assert.AreEqual(path, ex.FileName);
        Assert.Contains(path, ex.Message);
        Assert.ThrowsExactly<ArgumentException>(() => ScriptModule.Load(""));
        Assert.ThrowsExactly<ArgumentNullException>(() => ScriptModule.Load(null!));
    }

    [TestMethod]
    public void Load_CorruptFile_IsTorchException()
    {
        var path = Path.Combine(Path.GetTempPath(), $"corrupt-{Guid.NewGuid():N}.pt");
        try
        {
            var junk = new byte[4096];
            new Random(3).NextBytes(junk);
            File.WriteAllBytes(path, junk);
            var ex = Assert.ThrowsExactly<TorchException>(() => ScriptModule.Load(path));
            Assert.Contains("Cannot load TorchScript module", ex.Message);
            Assert.DoesNotContain("Exception raised from", ex.Message);
            File.WriteAllBytes(path, []);
            Assert.ThrowsExactly<TorchException>(() => ScriptModule.Load(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void DisposedModule_IsObjectDisposedException()
    {
        var module = ScriptModule.Load(Generated("net.pt"));
        module.Dispose();
        Assert.IsTrue(module.IsDisposed);
        using var scope = Torch.NewDisposeScope();
        Assert.ThrowsExactly<ObjectDisposedException>(() => module.Forward(Torch.Zeros([1, 1, 8, 8])));
        Assert.ThrowsExactly<ObjectDisposedException>(() => module.SetTraining(true));
        module.Dispose();
    }
}
