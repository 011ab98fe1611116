using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch.Optim;

/// <summary>
/// Base of the optimizers. A step is one native call over every parameter (the shim's fused
/// loops), which measured faster than issuing several in-place ops per parameter from C#.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private protected readonly Tensor[] Params;
    private protected IntPtr[] RawParams => Params.Select(p => p.Raw).ToArray();

    private protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Params = parameters.ToArray();
        if (Params.Length == 0) throw new ArgumentException("The optimizer got an empty parameter list.", nameof(parameters));
        if (!(learningRate >= 0) || double.IsInfinity(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), $"Invalid learning rate {learningRate}.");
        LearningRate = learningRate;
        InitialLearningRate = learningRate;
    }

    /// <summary>Current learning rate (schedulers change it).</summary>
    public double LearningRate { get; set; }

    /// <summary>Learning rate given at construction.</summary>
    public double InitialLearningRate { get; }

    /// <summary>The parameters being optimized.</summary>
    public IReadOnlyList<Tensor> Parameters => Params;

    /// <summary>Number of steps taken.</summary>
    public long StepCount { get; protected set; }

    /// <summary>Applies one update from the parameters' gradients.</summary>
    public abstract void Step();

    /// <summary>Clears the gradients of the optimized parameters.</summary>
    public void ZeroGrad(bool setToNone = true) => ZeroGrad(Params, setToNone);

    /// <summary>Clears the gradients of <paramref name="parameters"/> (one native call).</summary>
    public static unsafe void ZeroGrad(IReadOnlyList<Tensor> parameters, bool setToNone = true)
    {
        var raw = parameters.Select(p => p.Raw).ToArray();
        fixed (IntPtr* p = raw) NativeMethods.Check(NativeMethods.vt_zero_grad(p, raw.Length, setToNone ? 1 : 0));
        GC.KeepAlive(parameters);
    }

    /// <summary>Optimizer state tensors by name (for checkpoints); the live tensors.</summary>
    public abstract IReadOnlyDictionary<string, Tensor> StateTensors();

    /// <summary>Restores state from <see cref="StateTensors"/> copies plus the step count and learning rate.</summary>
    public void LoadState(IReadOnlyDictionary<string, Tensor> state, long stepCount, double learningRate)
    {
        var own = StateTensors();
        foreach (var (name, target) in own)
        {
            if (!state.TryGetValue(name, out var src))
                throw new ArgumentException($"Optimizer state '{name}' is missing from the checkpoint.");
            if (!src.Shape.SequenceEqual(target.Shape))
                throw new ArgumentException($"Optimizer state '{name}' has shape [{string.Join(", ", src.Shape)}], expected [{string.Join(", ", target.Shape)}].");
            using (Torch.NoGrad()) target.Copy_(src);
        }
        StepCount = stepCount;
        LearningRate = learningRate;
        OnStateLoaded();
    }

    private protected virtual void OnStateLoaded() { }

    private bool _disposed;

    /// <summary>
    /// Throws when this optimizer or one of its parameters has been disposed. Steps hand cached raw
    /// handles to native code, which would otherwise touch freed memory and crash the process.
    /// </summary>
    private protected void ThrowIfUnusable()
    {
        if (_disposed) throw new ObjectDisposedException(GetType().Name, "The optimizer has been disposed.");
        foreach (var p in Params)
            if (p.IsDisposed) throw new ObjectDisposedException(nameof(Tensor), "A parameter of the optimizer has been disposed.");
    }

    /// <summary>Releases the state tensors (not the parameters).</summary>
    public virtual void Dispose()
    {
        _disposed = true;
        GC.SuppressFinalize(this);
    }

    private protected static Tensor[] ZerosLike(Tensor[] ps)
    {
        using (Torch.NoGrad())
            return ps.Select(p => Torch.ZerosLike(p).DetachFromScope()).ToArray();
    }
}

/// <summary>Gradient utilities.</summary>
public static class GradientClipping
{
    /// <summary>Scales gradients so their total p-norm is at most <paramref name="maxNorm"/>; returns the norm before clipping.</summary>
    public static unsafe double ClipGradNorm(IReadOnlyList<Tensor> parameters, double maxNorm, double normType = 2.0)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), "maxNorm must be positive.");
        var raw = parameters.Select(p => p.Raw).ToArray();
        double total;
        fixed (IntPtr* p = raw) NativeMethods.Check(NativeMethods.vt_clip_grad_norm(p, raw.Length, maxNorm, normType, out total));
        GC.KeepAlive(parameters);
        return total;
    }

    /// <summary>True when every existing gradient is finite.</summary>
    public static unsafe bool GradientsFinite(IReadOnlyList<Tensor> parameters)
    {
        var raw = parameters.Select(p => p.Raw).ToArray();
        int finite;
        fixed (IntPtr* p = raw) NativeMethods.Check(NativeMethods.vt_grads_finite(p, raw.Length, out finite));
        GC.KeepAlive(parameters);
        return finite == 1;
    }
}
