// Train a β-TCVAE with the decoupled flow prior on a 2-D toy distribution, save it, load it back,
// draw samples into a scatter plot and compute the dpVAE metrics.
using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Evaluation;
using Microsoft.ML.Vae.Core.Imaging;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;
using TorchSharp;

var output = args.Length > 0 ? args[0] : "out/getting-started";
Directory.CreateDirectory(output);

// 1. Data: an endless sampler of the "8 Gaussians" distribution.
var data = ToyDatasets.Create("8gaussians");

// 2. Model: options with documented defaults; only what differs from them is set here.
var options = new DpVaeOptions
{
    Regularizer = Regularizer.BetaTc,
    DecoupledPrior = true,
    SampleShape = [2],
    LatentDim = 2,
    Network = NetworkKind.Mlp,
    BatchSize = 256,
    LearningRate = 1e-3,
    DatasetSize = 100_000,
};
torch.manual_seed(1); // weight initialization draws from libtorch's generator
using var model = new DpVae(options);
using var program = DpVaeTraining.CreateProgram(model, options);

// 3. Train with progress lines and a checkpoint at the end (resumable with Resume = true).
var trainer = new Trainer(program, new TrainerOptions
{
    Iterations = 1000,
    LogInterval = 200,
    Seed = 1,
    CheckpointDirectory = Path.Combine(output, "checkpoints"),
});
var progress = new SynchronousProgress(p =>
{
    if (p.Terms.TryGetValue("loss", out var loss)) Console.WriteLine($"step {p.Step}: loss {loss:F2}");
});
var result = trainer.Train(new SamplerBatchSource(data, options.BatchSize), progress);

// 4. Save and load: model.zip holds config.json, weights.safetensors and history.csv.
var path = Path.Combine(output, "model.zip");
ModelStore.Save(model, path, result.History);
using var loaded = ModelStore.Load(path);

// 5. Samples (prior → flow inverse → decoder) as a scatter plot.
using (var scope = torch.NewDisposeScope())
using (torch.no_grad())
{
    var samples = loaded.Decode(loaded.Prior.Sample(5000));
    ScatterPlot.Save(Path.Combine(output, "samples.png"), samples, data);

    // 6. Metrics: symmetric KL between aggregate posterior and prior, leakage, importance-sampled NLL.
    var x = data.Sample(2000);
    Console.WriteLine($"symmetric KL: {SymmetricKl.Compute(loaded, x).Value:F3}");
    Console.WriteLine($"NLL (S=100):  {ImportanceSampledNll.Compute(loaded, x, importanceSamples: 100).Nll:F3} nats");
    foreach (var point in LeakageScore.Compute(loaded, x).Points)
        Console.WriteLine($"leakage at τ={point.Threshold}: {point.Value:F3} ({point.Count} samples)");
}
Console.WriteLine($"wrote {path} and samples.png");

/// <summary>Reports progress on the training thread (Progress&lt;T&gt; would post to the thread pool).</summary>
sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
