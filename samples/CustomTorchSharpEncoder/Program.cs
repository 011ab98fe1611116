// Bring your own TorchSharp encoder: a hand-written nn.Module<Tensor, Tensor> (Networks.cs) becomes the encoder
// of a dp-β-TCVAE (β-TCVAE with the decoupled flow prior) on the "8 Gaussians" toy distribution. The model
// trains with the library's program and trainer, is saved, loaded back around freshly built networks,
// and samples are drawn into a scatter plot.
// Arguments: [output folder] [iterations]
using CustomTorchSharpEncoder;
using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Evaluation;
using Microsoft.ML.Vae.Core.Imaging;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;
using TorchSharp;

var output = args.Length > 0 ? args[0] : Path.Combine("out", "custom-encoder");
long iterations = args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1500;
Directory.CreateDirectory(output);

// 1. Data: an endless sampler of the "8 Gaussians" distribution (2-D points).
var data = ToyDatasets.Create("8gaussians");

// 2. The library's options: regularizer, prior, loss weights and optimizer. The network settings
//    (Network, MlpHiddenSizes, ...) do not apply: the networks come from us.
var options = new DpVaeOptions
{
    Regularizer = Regularizer.BetaTc,
    DecoupledPrior = true,
    SampleShape = [2],
    LatentDim = 2,
    BatchSize = 256,
    LearningRate = 1e-3,
    DatasetSize = 100_000, // β-TCVAE's minibatch-stratified estimator needs a data-set size; the sampler has none
};

// 3. Our networks. The encoder returns [N, 2·LatentDim] (mean, then log-variance); the decoder maps
//    latents back to points. DpVae checks both shapes once, here, with a batch of zeros.
torch.manual_seed(1); // weight initialization draws from libtorch's generator
using var model = new DpVae(options, new ResidualMlpEncoder(inputs: 2, options.LatentDim), Decoder.Create(options.LatentDim, outputs: 2));
Console.WriteLine($"{model.Kind} with a custom encoder: {model.parameters().Sum(p => p.numel()):N0} parameters " +
                  $"({model.Encoder.parameters().Sum(p => p.numel()):N0} in the encoder, the rest in the decoder and the flow prior)");

// 4. Train: the same program and trainer as for the built-in networks.
using (var program = DpVaeTraining.CreateProgram(model, options))
{
    var trainer = new Trainer(program, new TrainerOptions { Iterations = iterations, LogInterval = (int)Math.Max(1, iterations / 5), Seed = 1 });
    var result = trainer.Train(new SamplerBatchSource(data, options.BatchSize), new ConsoleProgress());
    Console.WriteLine($"trained {iterations} steps in {result.WallTime.TotalSeconds:F1} s");

    // 5. Save: model.zip records that the networks were custom (the file cannot describe arbitrary code).
    ModelStore.Save(model, Path.Combine(output, "model.zip"), result.History);
}

// 6. Load: build networks of the same architecture again; their weights are replaced by the file's.
using var loaded = DpVae.Load(Path.Combine(output, "model.zip"),
    new ResidualMlpEncoder(inputs: 2, options.LatentDim), Decoder.Create(options.LatentDim, outputs: 2));

// 7. Sample: prior → flow inverse → decoder, drawn over data points (gray); and one metric.
using (var scope = torch.NewDisposeScope())
using (torch.no_grad())
{
    var x = data.Sample(2000);
    var samples = loaded.Sample(5000);
    ScatterPlot.Save(Path.Combine(output, "samples.png"), [(x, new Rgb(160, 160, 160)), (samples, Rgb.Categorical[0])], data.PlotRange);
    Console.WriteLine($"symmetric KL between aggregate posterior and prior: {SymmetricKl.Compute(loaded, x).Value:F3}");
}
Console.WriteLine($"wrote {Path.Combine(output, "model.zip")} and {Path.Combine(output, "samples.png")}");

/// <summary>Prints the loss at each log point, on the training thread (Progress&lt;T&gt; would post to the thread pool).</summary>
sealed class ConsoleProgress : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        if (!value.IsEvaluation && value.Terms.TryGetValue("loss", out var loss))
            Console.WriteLine($"step {value.Step}/{value.TotalSteps}: loss {loss:F3}");
    }
}
