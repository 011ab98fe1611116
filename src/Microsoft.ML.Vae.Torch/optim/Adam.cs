using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch.Optim;

/// <summary>
/// Adam (Kingma &amp; Ba) with PyTorch's defaults; with <c>decoupledWeightDecay</c> it is AdamW.
/// Same arithmetic as PyTorch's single-tensor implementation.
/// </summary>
public class Adam : Optimizer
{
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;
    private readonly IntPtr[] _rawParams, _rawAvg, _rawAvgSq;

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public double WeightDecay { get; }
    public bool DecoupledWeightDecay { get; }

    public Adam(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
        double eps = 1e-8, double weightDecay = 0, bool decoupledWeightDecay = false) : base(parameters, learningRate)
    {
        if (beta1 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta1), "beta1 must be in [0, 1).");
        if (beta2 is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(beta2), "beta2 must be in [0, 1).");
        if (!(eps >= 0)) throw new ArgumentOutOfRangeException(nameof(eps));
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay));
        (Beta1, Beta2, Eps, WeightDecay, DecoupledWeightDecay) = (beta1, beta2, eps, weightDecay, decoupledWeightDecay);
        _expAvg = ZerosLike(Params);
        _expAvgSq = ZerosLike(Params);
        _rawParams = RawParams;
        _rawAvg = _expAvg.Select(t => t.Raw).ToArray();
        _rawAvgSq = _expAvgSq.Select(t => t.Raw).ToArray();
    }

    public override unsafe void Step()
    {
        ThrowIfUnusable();
        StepCount++;
        fixed (IntPtr* p = _rawParams)
        fixed (IntPtr* m = _rawAvg)
        fixed (IntPtr* v = _rawAvgSq)
            NativeMethods.Check(NativeMethods.vt_adam_step(p, m, v, _rawParams.Length, LearningRate, Beta1, Beta2, Eps,
                WeightDecay, DecoupledWeightDecay ? 1 : 0, StepCount));
        GC.KeepAlive(Params);
        GC.KeepAlive(_expAvg);
        GC.KeepAlive(_expAvgSq);
    }

    public override IReadOnlyDictionary<string, Tensor> StateTensors()
    {
        var d = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        for (int i = 0; i < _expAvg.Length; i++)
        {
            d[$"{i}.exp_avg"] = _expAvg[i];
            d[$"{i}.exp_avg_sq"] = _expAvgSq[i];
        }
        return d;
    }

    public override void Dispose()
    {
        foreach (var t in _expAvg) t.Dispose();
        foreach (var t in _expAvgSq) t.Dispose();
        base.Dispose();
    }
}

/// <summary>AdamW: Adam with decoupled weight decay (default 0.01, as PyTorch).</summary>
public sealed class AdamW(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999,
    double eps = 1e-8, double weightDecay = 0.01)
    : Adam(parameters, learningRate, beta1, beta2, eps, weightDecay, decoupledWeightDecay: true);
