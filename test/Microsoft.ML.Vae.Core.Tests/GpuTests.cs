using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>End-to-end checks on a CUDA device; skipped (inconclusive) where CUDA is not available.</summary>
[TestClass]
[TestCategory("Gpu")]
public sealed class GpuTests
{
    private static Device Gpu()
    {
        if (!torch.cuda.is_available()) Assert.Inconclusive("CUDA is not available in the loaded libtorch; GPU tests are skipped.");
        return new Device(DeviceType.CUDA, 0);
    }

    [TestMethod]
    public void CudaUnavailableGivesClearError()
    {
        if (torch.cuda.is_available()) Assert.Inconclusive("CUDA is available here; this test checks the CPU-only error.");
        var e = Assert.ThrowsExactly<NotSupportedException>(() => Devices.EnsureAvailable(new Device(DeviceType.CUDA, 0)));
        StringAssert.Contains(e.Message, "CUDA");
        // A model asked for on CUDA fails the same way, before anything is built.
        e = Assert.ThrowsExactly<NotSupportedException>(() => new DpVae(new DpVaeOptions { SampleShape = [4] }, new Device(DeviceType.CUDA, 0)));
        StringAssert.Contains(e.Message, "CUDA");
    }

    [TestMethod]
    public void TensorsRoundTripThroughTheGpu()
    {
        var gpu = Gpu();
        using var scope = torch.NewDisposeScope();
        var host = torch.tensor(new float[] { 1, 2, 3, 4 }, [2, 2]);
        var pinned = host.pin_memory();
        Assert.IsTrue(pinned.is_pinned());
        var onGpu = pinned.to(gpu, non_blocking: true);
        Assert.IsTrue(Devices.Same(gpu, onGpu.device));
        var back = (onGpu * 2.0).cpu();
        CollectionAssert.AreEqual(new float[] { 2, 4, 6, 8 }, back.data<float>().ToArray());
    }

    [TestMethod]
    public void DpVaeTrainsOnGpuAndLoadsOnCpu()
    {
        var gpu = Gpu();
        var options = new DpVaeOptions
        {
            Regularizer = Regularizer.BetaTc, DecoupledPrior = true, SampleShape = [8], LatentDim = 2,
            Network = Networks.NetworkKind.Mlp, BatchSize = 64, DatasetSize = 1024, LearningRate = 1e-3,
        };
        using var data = new TensorDataset(torch.randn(1024, 8).DetachFromDisposeScope());
        using var model = new DpVae(options, gpu);
        Assert.IsTrue(Devices.Same(gpu, model.Device));
        using var program = DpVaeTraining.CreateProgram(model, options);
        using var source = new DatasetBatchSource(data, 64, seed: 1, device: gpu);
        var result = new Trainer(program, new TrainerOptions { Iterations = 50, LogInterval = 10, Device = gpu }).Train(source);
        Assert.IsTrue(double.IsFinite(result.FinalTerms["loss"]));
        var path = Path.Combine(Path.GetTempPath(), $"gpu-{Guid.NewGuid():N}.zip");
        try
        {
            ModelStore.Save(model, path);
            using var cpu = ModelStore.Load(path, torch.CPU);
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var x = data.Features.narrow(0, 0, 16);
            var (mGpu, _) = model.Encode(x.to(gpu));
            var (mCpu, _) = cpu.Encode(x);
            var diff = (mGpu.cpu() - mCpu).abs().max().ItemAsDouble();
            Assert.IsLessThan(1e-4, diff, $"GPU and CPU encodings differ by {diff}.");
        }
        finally { File.Delete(path); }
    }

    [TestMethod]
    public void CustomEncoderTrainsOnGpu()
    {
        var gpu = Gpu();
        var options = new DpVaeOptions
        {
            Regularizer = Regularizer.BetaTc, DecoupledPrior = true, SampleShape = [2], LatentDim = 2, BatchSize = 64, DatasetSize = 1024, LearningRate = 1e-3,
        };
        var sampler = ToyDatasets.Create("8gaussians");
        using var model = new DpVae(options, new DpVaeModelTests.UserEncoder(2, 32, 4), DpVaeModelTests.UserDecoder(2, 2), gpu);
        Assert.IsTrue(Devices.Same(gpu, model.Device));
        using var program = DpVaeTraining.CreateProgram(model);
        for (long step = 1; step <= 20; step++)
        {
            using var scope = torch.NewDisposeScope();
            var terms = program.Step(sampler.Sample(64).to(gpu), step, () => sampler.Sample(64).to(gpu));
            Assert.IsTrue(double.IsFinite(terms.Total.ItemAsDouble()), $"step {step}");
        }
    }
}
