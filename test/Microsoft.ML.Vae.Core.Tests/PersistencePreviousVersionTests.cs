using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Persistence.SafeTensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// model.zip files written by the previous version of the library (its own libtorch 1.13 binding; see
/// TestData/previous-version/README.md) still load: same kind and shapes, every weight unchanged, and the
/// same encoder and decoder outputs for fixed inputs as the previous version computed.
/// </summary>
[TestClass]
public sealed class PersistencePreviousVersionTests
{
    private static string FileOf(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "previous-version", name);

    // Inputs and the previous version's outputs for them (printed by the program in the README).
    private static readonly float[] FixedLatents = [0.5f, -1.0f, 1.5f, 0.25f];
    private static readonly float[] FixedData = [1.0f, -2.0f, 0.0f, 0.5f];

    [TestMethod]
    [DataRow("dp-beta-tc.zip", "dp-beta-tc", 38, 3922,
        new[] { -0.058121882f, -0.026952036f, -0.05062694f, 0.09333207f },
        new[] { -0.29697224f, -0.13879456f, -0.09120335f, 0.076483645f },
        new[] { -0.11557579f, 0.07020855f, -0.04696387f, 0.059158478f })]
    [DataRow("soft-intro-mog.zip", "soft-intro", 18, 2547,
        new[] { -0.14219508f, -0.0409684f, -0.02851041f, -0.17865416f },
        new[] { 0.21225666f, -0.23648484f, 0.08575053f, -0.269529f },
        new[] { -0.03497545f, -0.039351135f, -0.111332424f, -0.04526356f })]
    public void PreviousVersionModelLoads(string file, string kind, int tensorCount, long parameterCount,
        float[] expectedDecode, float[] expectedMean, float[] expectedLogVar)
    {
        string path = FileOf(file);
        Assert.IsTrue(File.Exists(path), $"{path} is missing (copied from TestData by the test project).");
        var info = ModelStore.ReadInfo(path);
        Assert.AreEqual(kind, info.Config.Kind);
        Assert.AreEqual(1, info.Config.FormatVersion);
        StringAssert.StartsWith(info.Config.LibraryVersion, "0.1.0+df93710");
        Assert.AreEqual(tensorCount, info.TensorCount);
        Assert.AreEqual(parameterCount, info.ParameterCount);
        Assert.IsTrue(info.HasHistory);
        Assert.IsNotNull(ModelStore.ReadHistory(path));

        long baseline = LiveTensors.Count;
        using (var model = ModelStore.Load(path))
        {
            Assert.AreEqual(kind, model.Kind);
            Assert.AreEqual(2, model.LatentDim);
            CollectionAssert.AreEqual(new long[] { 2 }, model.SampleShape);
            Assert.AreEqual(DeviceType.CPU, model.Device.type);

            // Every weight and buffer holds exactly the bytes in the file.
            var weights = ReadWeights(path);
            var state = model.StateDict();
            CollectionAssert.AreEquivalent(weights.Entries.Keys.ToArray(), state.Keys.ToArray());
            foreach (var (name, entry) in weights.Entries)
            {
                Assert.AreEqual(entry.DType, state[name].dtype, name);
                CollectionAssert.AreEqual(entry.Shape, state[name].shape, name);
                CollectionAssert.AreEqual(entry.Data.ToArray(), TensorData.ToBytes(state[name]), name);
            }

            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var z = torch.tensor(FixedLatents, new long[] { 2, 2 });
            var x = torch.tensor(FixedData, new long[] { 2, 2 });
            var decoded = model.Decode(z);
            var (mean, logVar) = model.Encode(x);
            CollectionAssert.AreEqual(new long[] { 2, 2 }, decoded.shape);
            CollectionAssert.AreEqual(new long[] { 2, 2 }, mean.shape);
            CollectionAssert.AreEqual(new long[] { 2, 2 }, logVar.shape);
            Assert.IsTrue(decoded.AllFinite() && mean.AllFinite() && logVar.AllFinite());
            // libtorch 1.13 with OpenBLAS then, 2.10 with MKL now: the same arithmetic up to rounding.
            AssertClose(expectedDecode, decoded, "decode");
            AssertClose(expectedMean, mean, "encode mean");
            AssertClose(expectedLogVar, logVar, "encode log-variance");
        }
        Assert.AreEqual(baseline, LiveTensors.Count, "nothing leaks");
    }

    private static SafeTensorsFile ReadWeights(string path)
    {
        using var zip = System.IO.Compression.ZipFile.OpenRead(path);
        using var stream = zip.GetEntry(ModelStore.WeightsEntry)!.Open();
        return SafeTensorsFormat.Read(stream);
    }

    private static void AssertClose(float[] expected, Tensor actual, string what)
    {
        var values = actual.contiguous().data<float>().ToArray();
        Assert.HasCount(expected.Length, values, what);
        for (int i = 0; i < expected.Length; i++)
            Assert.AreEqual(expected[i], values[i], 1e-5f, $"{what}[{i}]");
    }
}
