using Microsoft.ML.Vae.Core.Training;
using Microsoft.ML.Vae.Core.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// A small training program for the trainer tests: an MLP autoencoder with dropout (so the random
/// generator matters), Adam (the fused one by default, TorchSharp's on request) with an exponential
/// learning-rate schedule, an optional second batch per step, and an optional poisoned step that
/// makes a term NaN or infinite.
/// </summary>
internal sealed class TrainingTestProgram : ITrainingProgram
{
    private readonly Sequential _net;
    private readonly Adam _adam;
    private readonly LRScheduler[] _schedulers;

    public TrainingTestProgram(int dim, int hidden = 16, double learningRate = 1e-2, bool schedule = true, bool useSecondBatch = false,
        bool torchSharpAdam = false)
    {
        _net = nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Dropout(0.25), nn.Linear(hidden, dim));
        _adam = torchSharpAdam ? torch.optim.Adam(_net.parameters(), learningRate) : new FusedAdam(_net.parameters(), learningRate);
        _schedulers = schedule ? [new ExponentialLR(_adam, 0.99)] : [];
        UseSecondBatch = useSecondBatch;
        Modules = [("model", _net)];
        Optimizers = [("adam", _adam)];
    }

    public bool UseSecondBatch { get; }

    /// <summary>When it returns a value for a step, the "activity" term is multiplied by it (NaN, ∞...).</summary>
    public Func<long, double, double?>? Poison { get; set; }

    /// <summary>Steps passed to <see cref="OnResumed"/>.</summary>
    public List<long> ResumedAt { get; } = new();

    /// <summary>Training flags of the network seen by each step.</summary>
    public List<bool> TrainingModeSeen { get; } = new();

    public Sequential Network => _net;

    public Adam Adam => _adam;

    public IReadOnlyList<(string Name, nn.Module Module)> Modules { get; }

    public IReadOnlyList<(string Name, optim.Optimizer Optimizer)> Optimizers { get; }

    public IReadOnlyList<LRScheduler> Schedulers => _schedulers;

    public LossTerms Step(Tensor batch, long step, Func<Tensor> nextBatch)
    {
        TrainingModeSeen.Add(_net.training);
        _adam.zero_grad();
        var recon = _net.forward(batch);
        var mse = F.mse_loss(recon, batch);
        var activity = recon.abs().mean() * 0.01;
        if (Poison?.Invoke(step, _adam.GetLearningRate()) is double factor) activity = activity * factor;
        var total = mse + activity;
        var terms = new LossTerms(total);
        if (UseSecondBatch)
        {
            var other = nextBatch();
            var second = F.mse_loss(_net.forward(other), other) * 0.1;
            total = total + second;
            terms.Total = total;
            terms.Add("second", second);
        }
        total.backward();
        _adam.step();
        return terms.Add("mse", mse).Add("activity", activity);
    }

    public void OnResumed(long step) => ResumedAt.Add(step);

    /// <summary>Every parameter value, flattened in registration order.</summary>
    public float[] ParameterValues() => _net.parameters().SelectMany(p => p.data<float>().ToArray()).ToArray();

    public void Dispose()
    {
        _adam.Dispose();
        _net.Dispose();
    }
}

/// <summary>An <see cref="IProgress{T}"/> that runs its handler synchronously on the reporting thread.</summary>
internal sealed class TrainingTestProgress(Action<TrainingProgress> handler) : IProgress<TrainingProgress>
{
    public List<TrainingProgress> Reports { get; } = new();

    public void Report(TrainingProgress value)
    {
        Reports.Add(value);
        handler(value);
    }
}

/// <summary>Temporary folders for checkpoint and model-file tests, removed on dispose.</summary>
internal sealed class TrainingTestFolder : IDisposable
{
    public TrainingTestFolder() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "vae-tests-" + Guid.NewGuid().ToString("N")));

    public string Path { get; }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
