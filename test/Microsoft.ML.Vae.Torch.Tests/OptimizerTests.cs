using Microsoft.ML.Vae.Torch.Optim;

namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>
/// SGD, Adam and AdamW against a reference written here with plain tensor math, step by step, on
/// the same float64 problem; plus state save and restore.
/// </summary>
[TestClass]
public sealed class OptimizerTests : TorchTestBase
{
    private const int Steps = 3;

    private static Tensor[] InitialParameters() =>
        [GradientCheck.Input([2, 3], seed: 1), GradientCheck.Input([3], seed: 2)];

    /// <summary>A smooth loss whose gradients change with the parameters (so momentum and moments matter).</summary>
    private static Tensor Loss(Tensor[] p)
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 0.5, -1, 2 });
        return ((Torch.MatMul(p[0], p[1] * x).Sin() * 3).Sum() + (p[1].Square() * x).Sum() + p[0].Exp().Mean()).MoveToOuterScope();
    }

    private static Tensor[] Gradients(Tensor[] reference)
    {
        using var scope = Torch.NewDisposeScope();
        var leaves = reference.Select(r => r.Detach().RequiresGrad_()).ToArray();
        var grads = Autograd.Grad([Loss(leaves)], leaves);
        return grads.Select(g => g!.DetachFromScope()).ToArray();
    }

    /// <summary>Runs <paramref name="optimizer"/> on live parameters and <paramref name="referenceStep"/> on copies; compares after each step.</summary>
    private static void Compare(Func<Tensor[], Optimizer> create, Action<Tensor[], Tensor[], int> referenceStep)
    {
        var parameters = InitialParameters();
        var reference = parameters.Select(p => p.Clone()).ToArray();
        foreach (var p in parameters) p.RequiresGrad = true;
        try
        {
            using var optimizer = create(parameters);
            for (int step = 1; step <= Steps; step++)
            {
                optimizer.ZeroGrad();
                using (var scope = Torch.NewDisposeScope()) Loss(parameters).Backward();
                optimizer.Step();
                Assert.AreEqual((long)step, optimizer.StepCount);

                var grads = Gradients(reference);
                using (Torch.NoGrad())
                using (var scope = Torch.NewDisposeScope())
                    referenceStep(reference, grads, step);
                foreach (var g in grads) g.Dispose();

                for (int i = 0; i < parameters.Length; i++)
                    TensorAssert.Close(reference[i], parameters[i], 1e-12);
            }
            // The parameters did move.
            using var scope2 = Torch.NewDisposeScope();
            var initial = InitialParameters();
            Assert.IsTrue((parameters[0] - initial[0]).Abs().Sum().Item() > 1e-3);
        }
        finally
        {
            foreach (var p in parameters.Concat(reference)) p.Dispose();
        }
    }

    [TestMethod]
    [DataRow(0.1, 0.0, 0.0, 0.0, false)]
    [DataRow(0.1, 0.9, 0.0, 0.0, false)]
    [DataRow(0.05, 0.8, 0.3, 0.0, false)]
    [DataRow(0.1, 0.9, 0.0, 0.0, true)]
    [DataRow(0.1, 0.0, 0.0, 0.01, false)]
    [DataRow(0.2, 0.7, 0.0, 0.05, true)]
    public void Sgd_MatchesReference(double lr, double momentum, double dampening, double weightDecay, bool nesterov)
    {
        var buffers = new Tensor?[2];
        Compare(p => new Sgd(p, lr, momentum, dampening, weightDecay, nesterov), (q, grads, step) =>
        {
            for (int i = 0; i < q.Length; i++)
            {
                var g = grads[i] + q[i] * weightDecay;
                if (momentum != 0)
                {
                    // The first step seeds the buffer with the gradient itself (no dampening).
                    var buffer = step == 1 ? g.Clone() : buffers[i]! * momentum + g * (1 - dampening);
                    buffers[i]?.Dispose();
                    buffers[i] = buffer.DetachFromScope();
                    g = nesterov ? g + buffers[i]! * momentum : buffers[i]!;
                }
                q[i].Sub_(g * lr);
            }
        });
        foreach (var b in buffers) b?.Dispose();
    }

    [TestMethod]
    [DataRow(0.01, 0.9, 0.999, 1e-8, 0.0)]
    [DataRow(0.1, 0.5, 0.9, 1e-3, 0.0)]
    [DataRow(0.05, 0.9, 0.99, 1e-8, 0.1)]
    public void Adam_MatchesReference(double lr, double beta1, double beta2, double eps, double weightDecay) =>
        AdamCase(p => new Adam(p, lr, beta1, beta2, eps, weightDecay), lr, beta1, beta2, eps, weightDecay, decoupled: false);

    [TestMethod]
    [DataRow(0.01, 0.9, 0.999, 1e-8, 0.01)]
    [DataRow(0.1, 0.8, 0.95, 1e-6, 0.5)]
    public void AdamW_MatchesReference(double lr, double beta1, double beta2, double eps, double weightDecay) =>
        AdamCase(p => new AdamW(p, lr, beta1, beta2, eps, weightDecay), lr, beta1, beta2, eps, weightDecay, decoupled: true);

    private static void AdamCase(Func<Tensor[], Optimizer> create, double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupled)
    {
        var m = new Tensor?[2];
        var v = new Tensor?[2];
        Compare(create, (q, grads, step) =>
        {
            for (int i = 0; i < q.Length; i++)
            {
                var g = grads[i];
                if (weightDecay != 0)
                {
                    if (decoupled) q[i].Mul_(1 - lr * weightDecay);
                    else g = g + q[i] * weightDecay;
                }
                var newM = (m[i] is null ? g * (1 - beta1) : m[i]! * beta1 + g * (1 - beta1)).DetachFromScope();
                var newV = (v[i] is null ? g.Square() * (1 - beta2) : v[i]! * beta2 + g.Square() * (1 - beta2)).DetachFromScope();
                m[i]?.Dispose();
                v[i]?.Dispose();
                (m[i], v[i]) = (newM, newV);
                var mHat = newM / (1 - Math.Pow(beta1, step));
                var vHat = newV / (1 - Math.Pow(beta2, step));
                q[i].Sub_(mHat / (vHat.Sqrt() + eps) * lr);
            }
        });
        foreach (var t in m.Concat(v)) t?.Dispose();
    }

    [TestMethod]
    public void Step_SkipsParametersWithoutGradient()
    {
        using var scope = Torch.NewDisposeScope();
        var used = Torch.Ones([2], DType.Float64).RequiresGrad_();
        var unused = Torch.Ones([2], DType.Float64).RequiresGrad_();
        using var adam = new Adam([used, unused], 0.1);
        using var sgd = new Sgd([used, unused], 0.1, momentum: 0.9);
        (used * 2).Sum().Backward();
        adam.Step();
        sgd.Step();
        TensorAssert.Close([1, 1], unused, 0);
        Assert.IsTrue(used.ToArray<double>().All(x => x < 1));
    }

    [TestMethod]
    public void LoadState_RoundTrip_ContinuesIdentically()
    {
        var a = InitialParameters();
        var b = a.Select(p => p.Clone()).ToArray();
        foreach (var p in a.Concat(b)) p.RequiresGrad = true;
        try
        {
            using var first = new Adam(a, 0.05, weightDecay: 0.01);
            for (int i = 0; i < 2; i++) Train(first, a);

            // Copy a's parameters into b, save first's state, and restore it into a fresh optimizer.
            using (Torch.NoGrad()) for (int i = 0; i < a.Length; i++) b[i].Copy_(a[i]);
            var saved = first.StateTensors().ToDictionary(kv => kv.Key, kv => kv.Value.Clone().DetachFromScope());
            CollectionAssert.AreEquivalent(new[] { "0.exp_avg", "0.exp_avg_sq", "1.exp_avg", "1.exp_avg_sq" }, saved.Keys.ToArray());
            using var second = new Adam(b, 0.05, weightDecay: 0.01);
            second.LoadState(saved, first.StepCount, first.LearningRate);
            foreach (var t in saved.Values) t.Dispose();
            Assert.AreEqual(2L, second.StepCount);

            Train(first, a);
            Train(second, b);
            for (int i = 0; i < a.Length; i++) TensorAssert.Close(a[i], b[i], 0);

            // Restoring checks names and shapes.
            using var sgdFirst = new Sgd(a, 0.1, momentum: 0.9);
            Train(sgdFirst, a);
            var sgdState = sgdFirst.StateTensors();
            Assert.HasCount(2, sgdState);
            using var scope = Torch.NewDisposeScope();
            var wrongShape = sgdState.ToDictionary(kv => kv.Key, kv => Torch.Zeros([7], DType.Float64));
            using var sgdSecond = new Sgd(b, 0.1, momentum: 0.9);
            Assert.ThrowsExactly<ArgumentException>(() => sgdSecond.LoadState(wrongShape, 1, 0.1));
            Assert.ThrowsExactly<ArgumentException>(() => sgdSecond.LoadState(new Dictionary<string, Tensor>(), 1, 0.1));
        }
        finally
        {
            foreach (var p in a.Concat(b)) p.Dispose();
        }
    }

    private static void Train(Optimizer optimizer, Tensor[] parameters)
    {
        using var scope = Torch.NewDisposeScope();
        optimizer.ZeroGrad();
        Loss(parameters).Backward();
        optimizer.Step();
    }

    [TestMethod]
    public void Constructor_ValidatesArguments()
    {
        using var scope = Torch.NewDisposeScope();
        var p = Torch.Zeros([1]).RequiresGrad_();
        Assert.ThrowsExactly<ArgumentNullException>(() => new Adam(null!));
        Assert.ThrowsExactly<ArgumentException>(() => new Adam([]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Adam([p], -1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Adam([p], beta1: 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Sgd([p], double.NaN));
        Assert.ThrowsExactly<ArgumentException>(() => new Sgd([p], 0.1, momentum: 0, nesterov: true));
        using var adamW = new AdamW([p]);
        Assert.AreEqual(0.01, adamW.WeightDecay);
        Assert.IsTrue(adamW.DecoupledWeightDecay);
    }
}
