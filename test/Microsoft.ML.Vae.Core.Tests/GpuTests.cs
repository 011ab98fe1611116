using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>End-to-end checks on a CUDA device; skipped (inconclusive) where CUDA is not available.</summary>
[TestClass]
[TestCategory("Gpu")]
public sealed class GpuTests
{
    private static Device Gpu()
    {
        if (!Device.IsCudaAvailable) Assert.Inconclusive("CUDA is not available in the loaded libtorch; GPU tests are skipped.");
        return Device.Cuda(0);
    }

    [TestMethod]
    public void CudaUnavailableGivesClearError()
    {
        if (Device.IsCudaAvailable) Assert.Inconclusive("CUDA is available here; this test checks the CPU-only error.");
        var e = Assert.ThrowsExactly<NotSupportedException>(() => Torch.Zeros([2], DType.Float32, Device.Cuda(0)));
        StringAssert.Contains(e.Message, "CUDA");
    }

    [TestMethod]
    public void TensorsRoundTripThroughTheGpu()
    {
        var gpu = Gpu();
        using var scope = Torch.NewDisposeScope();
        var host = Tensor.From(new float[] { 1, 2, 3, 4 }, 2, 2);
        var pinned = host.PinMemory();
        Assert.IsTrue(pinned.IsPinned);
        var onGpu = pinned.To(gpu, nonBlocking: true);
        Assert.AreEqual(gpu, onGpu.Device);
        var back = (onGpu * 2.0).Cpu();
        CollectionAssert.AreEqual(new float[] { 2, 4, 6, 8 }, back.ToArray<float>());
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
        using var data = new TensorDataset(Torch.Randn([1024, 8]).DetachFromScope());
        using var model = new DpVae(options, gpu);
        using var program = DpVaeTraining.CreateProgram(model, options);
        using var source = new DatasetBatchSource(data, 64, seed: 1, device: gpu);
        var result = new Trainer(program, new TrainerOptions { Iterations = 50, LogInterval = 10, Device = gpu }).Train(source);
        Assert.IsTrue(double.IsFinite(result.FinalTerms["loss"]));
        var path = Path.Combine(Path.GetTempPath(), $"gpu-{Guid.NewGuid():N}.zip");
        try
        {
            ModelStore.Save(model, path);
            using var cpu = ModelStore.Load(path, Device.Cpu);
            using var scope = Torch.NewDisposeScope();
            using var noGrad = Torch.NoGrad();
            var x = data.Features.Narrow(0, 0, 16);
            var (mGpu, _) = model.Encode(x.To(gpu));
            var (mCpu, _) = cpu.Encode(x);
            var diff = (mGpu.Cpu() - mCpu).Abs().Max().Item();
            Assert.IsTrue(diff < 1e-4, $"GPU and CPU encodings differ by {diff}.");
        }
        finally { File.Delete(path); }
    }
}
