namespace Microsoft.ML.Vae.Torch.Optim;

/// <summary>Changes an optimizer's learning rate as steps (iterations or epochs, the caller's choice) go by.</summary>
public abstract class LRScheduler
{
    protected LRScheduler(Optimizer optimizer) => Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));

    public Optimizer Optimizer { get; }

    /// <summary>Steps taken so far.</summary>
    public long LastStep { get; private set; }

    /// <summary>Advances one step and sets the new learning rate.</summary>
    public void Step()
    {
        LastStep++;
        Optimizer.LearningRate = RateAt(LastStep);
    }

    /// <summary>Jumps to a step (used on resume).</summary>
    public void SetStep(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step));
        LastStep = step;
        Optimizer.LearningRate = RateAt(step);
    }

    /// <summary>The learning rate after <paramref name="step"/> steps.</summary>
    public abstract double RateAt(long step);
}

/// <summary>Multiplies the rate by gamma at each milestone (PyTorch's MultiStepLR).</summary>
public sealed class MultiStepLR(Optimizer optimizer, IEnumerable<long> milestones, double gamma = 0.1) : LRScheduler(optimizer)
{
    private readonly long[] _milestones = milestones.OrderBy(m => m).ToArray();
    public override double RateAt(long step) => Optimizer.InitialLearningRate * Math.Pow(gamma, _milestones.Count(m => m <= step));
}

/// <summary>Multiplies the rate by gamma every step (PyTorch's ExponentialLR).</summary>
public sealed class ExponentialLR(Optimizer optimizer, double gamma) : LRScheduler(optimizer)
{
    public override double RateAt(long step) => Optimizer.InitialLearningRate * Math.Pow(gamma, step);
}

/// <summary>Cosine annealing from the initial rate to <c>etaMin</c> over <c>tMax</c> steps (closed form of PyTorch's CosineAnnealingLR).</summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    private readonly long _tMax;
    private readonly double _etaMin;

    public CosineAnnealingLR(Optimizer optimizer, long tMax, double etaMin = 0) : base(optimizer)
    {
        if (tMax <= 0) throw new ArgumentOutOfRangeException(nameof(tMax), "tMax must be positive.");
        (_tMax, _etaMin) = (tMax, etaMin);
    }

    public override double RateAt(long step) =>
        _etaMin + (Optimizer.InitialLearningRate - _etaMin) * (1 + Math.Cos(Math.PI * Math.Min(step, _tMax) / _tMax)) / 2;
}
