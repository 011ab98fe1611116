// Soft-IntroVAE with a learned prior, core library only (no ML.NET): trains, then writes PNG pictures.
// Arguments: [data = fashion-mnist | 8gaussians | 2spirals | checkerboard | rings] [iterations] [output folder]
using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Training;
using SoftIntroLearnedPrior;
using TorchSharp;

string dataName = args.Length > 0 ? args[0] : "fashion-mnist";
bool images = dataName == "fashion-mnist";
long iterations = args.Length > 1 ? long.Parse(args[1]) : images ? 1500 : 3000;
string output = args.Length > 2 ? args[2] : Path.Combine("out", "soft-intro-learned-prior", dataName);
Directory.CreateDirectory(output);

var options = images ? SampleOptions.FashionMnist(iterations) : SampleOptions.Toy(dataName, iterations);
torch.manual_seed(1); // weight initialization draws from libtorch's generator
using var model = new SoftIntroVae(options);
using var program = SoftIntroTraining.CreateProgram(model);

using var train = images ? FashionMnist.LoadTrain(10_000) : null;
using var test = images ? FashionMnist.LoadTest(100) : null;
var toy = images ? null : ToyDatasets.Create(dataName);
IBatchSource source = images ? new DatasetBatchSource(train!, options.BatchSize, seed: 1) : new SamplerBatchSource(toy!, options.BatchSize);

// The VampPrior's pseudo-inputs start as data samples.
SoftIntroTraining.InitializePrior(model, source);
var trainer = new Trainer(program, new TrainerOptions { Iterations = iterations, LogInterval = Math.Max(1, (int)(iterations / 10)), Seed = 1 });
Console.WriteLine($"Training Soft-IntroVAE ({options.PriorKind} prior, K = {options.Components}, latent {options.LatentDim}) on {dataName} for {iterations} steps...");
var result = trainer.Train(source, new ConsoleProgress());
(source as IDisposable)?.Dispose();

var files = images ? Pictures.WriteImages(model, test!.Features, output) : Pictures.WriteToy(model, toy!, output);
var modelPath = Path.Combine(output, "model.zip");
ModelStore.Save(model, modelPath, result.History);
Console.WriteLine($"Done in {result.WallTime.TotalSeconds:F0} s. Wrote {string.Join(", ", files.Append(modelPath))}.");

/// <summary>Prints the loss terms at each log point, on the training thread.</summary>
sealed class ConsoleProgress : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        if (value.Terms.Count > 0)
            Console.WriteLine($"step {value.Step}: " + string.Join("  ", value.Terms.Where(t => t.Key is "reconstruction" or "kl" or "kl_real" or "kl_fake" or "prior_kl")
                .Select(t => $"{t.Key} {t.Value:G4}")));
    }
}
