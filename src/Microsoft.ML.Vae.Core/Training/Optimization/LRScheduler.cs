using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Training.Optimization;

/// <summary>
/// Changes an optimizer's learning rate as steps (iterations or epochs, the caller's choice) go by.
/// The rate after a step is a closed form of the step (<see cref="RateAt"/>), so a resumed run only
/// needs the position (<see cref="SetStep"/>).
/// </summary>
public abstract class LRScheduler
{
    /// <summary>Creates a schedule over <paramref name="optimizer"/>, which must expose its parameter groups.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="optimizer"/> is null.</exception>
    protected LRScheduler(optim.Optimizer optimizer)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        _ = optimizer.InitialLearningRate(); // an optimizer without parameter groups fails here, not at the first step
    }

    /// <summary>The optimizer whose learning rate is set.</summary>
    public optim.Optimizer Optimizer { get; }

    /// <summary>Steps taken so far.</summary>
    public long LastStep { get; private set; }

    /// <summary>Advances one step and sets the new learning rate.</summary>
    public void Step()
    {
        LastStep++;
        Optimizer.SetLearningRate(RateAt(LastStep));
    }

    /// <summary>Jumps to a step (used on resume).</summary>
    public void SetStep(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step));
        LastStep = step;
        Optimizer.SetLearningRate(RateAt(step));
    }

    /// <summary>The learning rate after <paramref name="step"/> steps.</summary>
    public abstract double RateAt(long step);
}

/// <summary>Multiplies the rate by gamma at each milestone (PyTorch's MultiStepLR).</summary>
public sealed class MultiStepLR(optim.Optimizer optimizer, IEnumerable<long> milestones, double gamma = 0.1) : LRScheduler(optimizer)
{
    private readonly long[] _milestones = milestones.OrderBy(m => m).ToArray();

    /// <inheritdoc />
    public override double RateAt(long step) => Optimizer.InitialLearningRate() * Math.Pow(gamma, _milestones.Count(m => m <= step));
}

/// <summary>Multiplies the rate by gamma every step (PyTorch's ExponentialLR).</summary>
public sealed class ExponentialLR(optim.Optimizer optimizer, double gamma) : LRScheduler(optimizer)
{
    /// <inheritdoc />
    public override double RateAt(long step) => Optimizer.InitialLearningRate() * Math.Pow(gamma, step);
}

/// <summary>Cosine annealing from the initial rate to <c>etaMin</c> over <c>tMax</c> steps (closed form of PyTorch's CosineAnnealingLR).</summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    private readonly long _tMax;
    private readonly double _etaMin;

    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tMax"/> is not positive.</exception>
    public CosineAnnealingLR(optim.Optimizer optimizer, long tMax, double etaMin = 0) : base(optimizer)
    {
        if (tMax <= 0) throw new ArgumentOutOfRangeException(nameof(tMax), "tMax must be positive.");
        (_tMax, _etaMin) = (tMax, etaMin);
    }

    /// <inheritdoc />
    public override double RateAt(long step) =>
        _etaMin + (Optimizer.InitialLearningRate() - _etaMin) * (1 + Math.Cos(Math.PI * Math.Min(step, _tMax) / _tMax)) / 2;
}
