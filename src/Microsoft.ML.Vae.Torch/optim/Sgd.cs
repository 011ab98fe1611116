using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch.Optim;

/// <summary>Stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay.</summary>
public sealed class Sgd : Optimizer
{
    private readonly Tensor[] _buffers;
    private readonly IntPtr[] _rawParams, _rawBuffers;

    public double Momentum { get; }
    public double Dampening { get; }
    public double WeightDecay { get; }
    public bool Nesterov { get; }

    public Sgd(IEnumerable<Tensor> parameters, double learningRate, double momentum = 0, double dampening = 0,
        double weightDecay = 0, bool nesterov = false) : base(parameters, learningRate)
    {
        if (!(momentum >= 0)) throw new ArgumentOutOfRangeException(nameof(momentum));
        if (nesterov && (momentum <= 0 || dampening != 0)) throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening.");
        (Momentum, Dampening, WeightDecay, Nesterov) = (momentum, dampening, weightDecay, nesterov);
        _buffers = momentum > 0 ? ZerosLike(Params) : Array.Empty<Tensor>();
        _rawParams = RawParams;
        _rawBuffers = _buffers.Length > 0 ? _buffers.Select(b => b.Raw).ToArray() : new IntPtr[Params.Length];
    }

    public override unsafe void Step()
    {
        ThrowIfUnusable();
        StepCount++;
        fixed (IntPtr* p = _rawParams)
        fixed (IntPtr* b = _rawBuffers)
            NativeMethods.Check(NativeMethods.vt_sgd_step(p, b, _rawParams.Length, LearningRate, Momentum, Dampening, WeightDecay,
                Nesterov ? 1 : 0, StepCount == 1 ? 1 : 0));
        GC.KeepAlive(Params);
        GC.KeepAlive(_buffers);
    }

    public override IReadOnlyDictionary<string, Tensor> StateTensors()
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < _buffers.Length; i++) d[$"{i}.momentum_buffer"] = _buffers[i];
        return d;
    }

    public override void Dispose()
    {
        foreach (var t in _buffers) t.Dispose();
        base.Dispose();
    }
}
