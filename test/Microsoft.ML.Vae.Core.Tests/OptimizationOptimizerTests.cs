using Microsoft.ML.Vae.Core.Training.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// The optimizers the library trains with — TorchSharp's SGD, Adam and AdamW and the fused Adam and
/// AdamW — against references written here with plain tensor math, step by step, on the same
/// float64 problem; the fused CPU path against closed forms and TorchSharp's Adam in float32; and the
/// export and import of optimizer state.
/// </summary>
[TestClass]
public sealed class OptimizationOptimizerTests
{
    private const int Steps = 3;

    private long _baseline;

    [TestInitialize]
    public void RecordLiveTensors() => _baseline = LiveTensors.Count;

    [TestCleanup]
    public void AssertNoLeaks()
    {
        bool gradEnabled = torch.is_grad_enabled();
        if (!gradEnabled) torch.set_grad_enabled(true);
        Assert.IsTrue(gradEnabled, "The test left autograd disabled.");
        Assert.AreEqual(_baseline, LiveTensors.Count, "The test leaked tensors.");
    }

    /// <summary>Deterministic values of magnitude ≤ 1 and random sign (the old test helper's inputs).</summary>
    private static double[] Values(long n, int seed)
    {
        var random = new Random(seed);
        var v = new double[n];
        for (long i = 0; i < n; i++)
        {
            double magnitude = random.NextDouble();
            v[i] = random.Next(2) == 0 ? -magnitude : magnitude;
        }
        return v;
    }

    private static Tensor Input(long[] shape, int seed, ScalarType dtype = ScalarType.Float64)
    {
        using var t = torch.tensor(Values(shape.Aggregate(1L, (a, b) => a * b), seed), shape);
        return t.to(dtype);
    }

    /// <summary>A float64 (or <paramref name="dtype"/>) tensor of <paramref name="values"/>.</summary>
    private static Tensor Of(double[] values, ScalarType dtype = ScalarType.Float64)
    {
        using var t = torch.tensor(values);
        return t.to(dtype);
    }

    /// <summary>A detached copy with its own memory (parameters made from one tensor would share it).</summary>
    private static Tensor Copy(Tensor source, ScalarType? dtype = null)
    {
        using var scope = torch.NewDisposeScope();
        var d = source.detach();
        return (dtype is { } t ? d.to(t, copy: true) : d.clone()).MoveToOuterDisposeScope();
    }

    private static Parameter CopyParameter(Tensor source)
    {
        using var c = Copy(source);
        return new Parameter(c);
    }

    private static Parameter[] InitialParameters(ScalarType dtype = ScalarType.Float64)
    {
        using var w = Input([2, 3], seed: 1, dtype);
        using var b = Input([3], seed: 2, dtype);
        return [new Parameter(w), new Parameter(b)];
    }

    /// <summary>A smooth loss whose gradients change with the parameters (so momentum and moments matter).</summary>
    private static Tensor Loss(IReadOnlyList<Tensor> p)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 0.5, -1, 2 }).to(p[0].dtype);
        return ((torch.matmul(p[0], p[1] * x).sin() * 3).sum() + (p[1].square() * x).sum() + p[0].exp().mean()).MoveToOuterDisposeScope();
    }

    private static Tensor[] Gradients(Tensor[] reference)
    {
        using var scope = torch.NewDisposeScope();
        var leaves = reference.Select(r => r.detach().requires_grad_()).ToArray();
        var grads = torch.autograd.grad([Loss(leaves)], leaves);
        return grads.Select(g => g.DetachFromDisposeScope()).ToArray();
    }

    private static double[] Values(Tensor t)
    {
        using var d = Copy(t, ScalarType.Float64);
        using var cpu = d.cpu();
        return cpu.data<double>().ToArray();
    }

    private static void Close(Tensor expected, Tensor actual, double tolerance, string what = "")
    {
        CollectionAssert.AreEqual(expected.shape, actual.shape, $"shape {what}");
        var e = Values(expected);
        var a = Values(actual);
        for (int i = 0; i < e.Length; i++) Assert.AreEqual(e[i], a[i], tolerance, $"element {i} {what}");
    }

    /// <summary>Runs <paramref name="create"/>'s optimizer on live parameters and <paramref name="referenceStep"/> on copies; compares after each step.</summary>
    private static void Compare(Func<Parameter[], optim.Optimizer> create, Action<Tensor[], Tensor[], int> referenceStep,
        ScalarType dtype = ScalarType.Float64, double tolerance = 1e-12)
    {
        var parameters = InitialParameters(dtype);
        var reference = parameters.Select(p => Copy(p, ScalarType.Float64)).ToArray();
        try
        {
            using var optimizer = create(parameters);
            for (int step = 1; step <= Steps; step++)
            {
                using (var scope = torch.NewDisposeScope())
                {
                    optimizer.zero_grad(); // TorchSharp's returns a tensor handle per gradient to the scope
                    Loss(parameters).backward();
                }
                optimizer.step();

                var grads = Gradients(reference);
                using (torch.no_grad())
                using (var scope = torch.NewDisposeScope())
                    referenceStep(reference, grads, step);
                foreach (var g in grads) g.Dispose();

                for (int i = 0; i < parameters.Length; i++) Close(reference[i], parameters[i], tolerance, $"of parameter {i} after step {step}");
            }
            // The parameters did move.
            var initial = InitialParameters(dtype);
            try
            {
                using var scope = torch.NewDisposeScope();
                Assert.IsTrue((parameters[0] - initial[0]).abs().sum().to(ScalarType.Float64).item<double>() > 1e-3);
            }
            finally
            {
                foreach (var p in initial) p.Dispose();
            }
        }
        finally
        {
            foreach (var t in parameters.Cast<Tensor>().Concat(reference)) t.Dispose();
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
        Compare(p => torch.optim.SGD(p, lr, momentum, dampening, weightDecay, nesterov), (q, grads, step) =>
        {
            for (int i = 0; i < q.Length; i++)
            {
                var g = grads[i] + q[i] * weightDecay;
                if (momentum != 0)
                {
                    // The first step seeds the buffer with the gradient itself (no dampening).
                    var buffer = step == 1 ? g.clone() : buffers[i]! * momentum + g * (1 - dampening);
                    buffers[i]?.Dispose();
                    buffers[i] = buffer.DetachFromDisposeScope();
                    g = nesterov ? g + buffers[i]! * momentum : buffers[i]!;
                }
                q[i].sub_(g * lr);
            }
        });
        foreach (var b in buffers) b?.Dispose();
    }

    public static IEnumerable<object[]> AdamKinds =>
    [
        ["torch"], ["fused"],
    ];

    private static optim.Optimizer NewAdam(string kind, Parameter[] p, double lr, double beta1, double beta2, double eps, double weightDecay,
        bool decoupled, bool amsgrad = false, bool maximize = false) => (kind, decoupled) switch
    {
        ("torch", false) => torch.optim.Adam(p, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize),
        ("torch", true) => torch.optim.AdamW(p, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize),
        ("fused", false) => new FusedAdam(p, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize),
        ("fused", true) => new FusedAdamW(p, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize),
        _ => throw new ArgumentException(kind),
    };

    [TestMethod]
    [DataRow("torch", 0.01, 0.9, 0.999, 1e-8, 0.0)]
    [DataRow("torch", 0.1, 0.5, 0.9, 1e-3, 0.0)]
    [DataRow("torch", 0.05, 0.9, 0.99, 1e-8, 0.1)]
    [DataRow("fused", 0.01, 0.9, 0.999, 1e-8, 0.0)]
    [DataRow("fused", 0.1, 0.5, 0.9, 1e-3, 0.0)]
    [DataRow("fused", 0.05, 0.9, 0.99, 1e-8, 0.1)]
    public void Adam_MatchesReference(string kind, double lr, double beta1, double beta2, double eps, double weightDecay) =>
        AdamCase(p => NewAdam(kind, p, lr, beta1, beta2, eps, weightDecay, decoupled: false), lr, beta1, beta2, eps, weightDecay, decoupled: false);

    [TestMethod]
    [DataRow("torch", 0.01, 0.9, 0.999, 1e-8, 0.01)]
    [DataRow("torch", 0.1, 0.8, 0.95, 1e-6, 0.5)]
    [DataRow("fused", 0.01, 0.9, 0.999, 1e-8, 0.01)]
    [DataRow("fused", 0.1, 0.8, 0.95, 1e-6, 0.5)]
    public void AdamW_MatchesReference(string kind, double lr, double beta1, double beta2, double eps, double weightDecay) =>
        AdamCase(p => NewAdam(kind, p, lr, beta1, beta2, eps, weightDecay, decoupled: true), lr, beta1, beta2, eps, weightDecay, decoupled: true);

    /// <summary>The fused float32 CPU path against the float64 reference: equal to float32 rounding.</summary>
    [TestMethod]
    [DataRow(0.01, 0.9, 0.999, 1e-8, 0.0, false)]
    [DataRow(0.05, 0.9, 0.99, 1e-8, 0.1, false)]
    [DataRow(0.1, 0.8, 0.95, 1e-6, 0.5, true)]
    public void FusedFloat32_MatchesReference(double lr, double beta1, double beta2, double eps, double weightDecay, bool decoupled) =>
        AdamCase(p => NewAdam("fused", p, lr, beta1, beta2, eps, weightDecay, decoupled), lr, beta1, beta2, eps, weightDecay, decoupled,
            ScalarType.Float32, tolerance: 2e-6);

    private static void AdamCase(Func<Parameter[], optim.Optimizer> create, double lr, double beta1, double beta2, double eps, double weightDecay,
        bool decoupled, ScalarType dtype = ScalarType.Float64, double tolerance = 1e-12)
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
                    if (decoupled) q[i].mul_(1 - lr * weightDecay);
                    else g = g + q[i] * weightDecay;
                }
                var newM = (m[i] is null ? g * (1 - beta1) : m[i]! * beta1 + g * (1 - beta1)).DetachFromDisposeScope();
                var newV = (v[i] is null ? g.square() * (1 - beta2) : v[i]! * beta2 + g.square() * (1 - beta2)).DetachFromDisposeScope();
                m[i]?.Dispose();
                v[i]?.Dispose();
                (m[i], v[i]) = (newM, newV);
                var mHat = newM / (1 - Math.Pow(beta1, step));
                var vHat = newV / (1 - Math.Pow(beta2, step));
                q[i].sub_(mHat / (vHat.sqrt() + eps) * lr);
            }
        }, dtype, tolerance);
        foreach (var t in m.Concat(v)) t?.Dispose();
    }

    /// <summary>
    /// A constant gradient c makes the bias-corrected moments exactly c and c², so every Adam step
    /// moves a parameter by −lr·c/(|c| + ε): after t steps p = p₀ − t·lr·c/(|c| + ε).
    /// </summary>
    [TestMethod]
    [DataRow("fused", "float32")]
    [DataRow("torch", "float32")]
    [DataRow("fused", "float64")]
    public void Adam_ConstantGradientFollowsTheClosedForm(string kind, string type)
    {
        var dtype = type == "float32" ? ScalarType.Float32 : ScalarType.Float64;
        double[] c = [3.0, -0.5, 1e-3, -20.0, 0.25, 7.0, -1.0, 0.0, 2.0];
        double[] p0 = [0.1, -0.2, 0.3, 1.0, -1.0, 0.0, 0.5, 0.7, -0.9];
        const double lr = 0.01, eps = 1e-8;
        const int steps = 100;
        using var init = Of(p0, dtype);
        using var p = new Parameter(init);
        using var slope = Of(c, dtype);
        using (var opt = NewAdam(kind, [p], lr, 0.9, 0.999, eps, 0, decoupled: false))
        {
            for (int t = 0; t < steps; t++)
            {
                using var scope = torch.NewDisposeScope();
                opt.zero_grad();
                (p * slope).sum().backward();
                opt.step();
            }
            Assert.AreEqual(steps, OptimizerCheckpoint.StepCount(opt));
        }
        var got = Values(p);
        double tolerance = dtype == ScalarType.Float32 ? 2e-5 : 1e-12;
        for (int i = 0; i < c.Length; i++)
        {
            double expected = p0[i] - steps * lr * c[i] / (Math.Abs(c[i]) + eps);
            Assert.AreEqual(expected, got[i], tolerance, $"parameter {i} (c = {c[i]})");
        }
    }

    /// <summary>The fused float32 path equals TorchSharp's Adam to float32 rounding, for every option, including tensors large enough to be updated in parallel chunks.</summary>
    [TestMethod]
    [DataRow(false, 0.0, false, false, 1000)]
    [DataRow(false, 0.05, false, false, 1000)]
    [DataRow(false, 0.0, true, false, 1000)]
    [DataRow(false, 0.0, false, true, 1000)]
    [DataRow(true, 0.1, false, false, 1000)]
    [DataRow(true, 0.1, true, true, 1000)]
    [DataRow(false, 0.01, true, false, 600_000)]
    public void FusedFloat32_MatchesTorchSharpsAdam(bool decoupled, double weightDecay, bool amsgrad, bool maximize, int size)
    {
        torch.manual_seed(3);
        using var w = torch.randn(size);
        using var target = torch.randn(size);
        using var pTorch = CopyParameter(w);
        using var pFused = CopyParameter(w);
        using var small = torch.randn(7, 3); // a second, odd-sized parameter (vector loop tail)
        using var qTorch = CopyParameter(small);
        using var qFused = CopyParameter(small);
        using var torchOpt = NewAdam("torch", [pTorch, qTorch], 0.01, 0.9, 0.99, 1e-8, weightDecay, decoupled, amsgrad, maximize);
        using var fusedOpt = NewAdam("fused", [pFused, qFused], 0.01, 0.9, 0.99, 1e-8, weightDecay, decoupled, amsgrad, maximize);
        for (int step = 0; step < 20; step++)
        {
            foreach (var (opt, p, q) in new[] { (torchOpt, pTorch, qTorch), (fusedOpt, pFused, qFused) })
            {
                using var scope = torch.NewDisposeScope();
                opt.zero_grad();
                ((p - target).square().sum() + q.tanh().sum()).backward();
                opt.step();
            }
        }
        Close(pTorch, pFused, 1e-5, "of the large parameter");
        Close(qTorch, qFused, 1e-5, "of the small parameter");
        using var check = torch.NewDisposeScope();
        Assert.IsTrue((pFused - w).abs().max().item<float>() > 0.05, "the parameters moved");
    }

    /// <summary>A float64 parameter among float32 ones sends the whole step to TorchSharp's Adam: the results equal it exactly.</summary>
    [TestMethod]
    public void Fused_FallsBackToTorchSharpsAdamOutsideFloat32Cpu()
    {
        var a = InitialParameters(ScalarType.Float64);
        var b = a.Select(p => CopyParameter(p)).ToArray();
        try
        {
            using var torchOpt = torch.optim.Adam(a, 0.05, weight_decay: 0.01);
            using var fusedOpt = new FusedAdam(b, 0.05, weight_decay: 0.01);
            for (int i = 0; i < 4; i++)
            {
                Train(torchOpt, a);
                Train(fusedOpt, b);
            }
            for (int i = 0; i < a.Length; i++) Close(a[i], b[i], 0);
        }
        finally
        {
            foreach (var p in a.Concat(b)) p.Dispose();
        }
    }

    [TestMethod]
    [DataRow("torch")]
    [DataRow("fused")]
    [DataRow("sgd")]
    public void Step_SkipsParametersWithoutGradient(string kind)
    {
        using var one = torch.ones(2);
        using var used = CopyParameter(one);
        using var unused = CopyParameter(one);
        using var opt = kind == "sgd" ? torch.optim.SGD([used, unused], 0.1, momentum: 0.9) : NewAdam(kind, [used, unused], 0.1, 0.9, 0.999, 1e-8, 0, false);
        using (var scope = torch.NewDisposeScope()) (used * 2).sum().backward();
        opt.step();
        CollectionAssert.AreEqual(new double[] { 1, 1 }, Values(unused));
        Assert.IsTrue(Values(used).All(x => x < 1));
        if (kind != "sgd")
        {
            using var state = torch.NewDisposeScope();
            var exported = OptimizerCheckpoint.Export(opt);
            Assert.AreEqual(1L, exported["0.step"].item<long>());
            Assert.AreEqual(0L, exported["1.step"].item<long>(), "a parameter without a gradient keeps its own count");
        }
    }

    /// <summary>
    /// The fused optimizers clear gradients to none, as PyTorch and the former optimizers did: a
    /// parameter without a gradient in the next step stays where it is (TorchSharp's Adam zero-fills
    /// the gradient and moves it by its momentum).
    /// </summary>
    [TestMethod]
    [DataRow("fused", true)]
    [DataRow("torch", false)]
    public void ZeroGrad_ClearsGradientsToNone(string kind, bool toNone)
    {
        using var init = torch.tensor(new float[] { 1f, -2f });
        using var p = new Parameter(init);
        using var opt = NewAdam(kind, [p], 0.1, 0.9, 0.999, 1e-8, 0, false);
        using var scope = torch.NewDisposeScope();
        (p * 3).sum().backward();
        opt.step();
        var afterFirst = Values(p);
        opt.zero_grad();
        using (var g = p.grad) Assert.AreEqual(toNone, g is null);
        opt.step(); // no backward in between
        if (toNone) CollectionAssert.AreEqual(afterFirst, Values(p), "a parameter without a gradient is not updated");
        else CollectionAssert.AreNotEqual(afterFirst, Values(p), "TorchSharp's Adam moves it by its momentum");
    }

    /// <summary>
    /// An optimizer that imports an export continues exactly as the exporting one: bit for bit, for
    /// the fused float32 path, TorchSharp's float64 Adam and AdamW (with amsgrad) and SGD with momentum.
    /// </summary>
    [TestMethod]
    [DataRow("fused", "float32", false)]
    [DataRow("fused", "float32", true)]
    [DataRow("fusedW", "float32", false)]
    [DataRow("torch", "float64", false)]
    [DataRow("torchW", "float64", true)]
    [DataRow("sgd", "float32", false)]
    public void ExportImport_ContinuesBitForBit(string kind, string type, bool amsgrad)
    {
        var dtype = type == "float32" ? ScalarType.Float32 : ScalarType.Float64;
        optim.Optimizer Create(Parameter[] p) => kind switch
        {
            "fused" => new FusedAdam(p, 0.05, weight_decay: 0.01, amsgrad: amsgrad),
            "fusedW" => new FusedAdamW(p, 0.05, amsgrad: amsgrad),
            "torch" => torch.optim.Adam(p, 0.05, weight_decay: 0.01, amsgrad: amsgrad),
            "torchW" => torch.optim.AdamW(p, 0.05, weight_decay: 0.01, amsgrad: amsgrad),
            _ => torch.optim.SGD(p, 0.05, momentum: 0.9, weight_decay: 0.01),
        };
        var a = InitialParameters(dtype);
        var b = InitialParameters(dtype);
        try
        {
            using var first = Create(a);
            for (int i = 0; i < 2; i++) Train(first, a);

            // Copy a's parameters into b, export first's state, and import it into a fresh optimizer.
            using (torch.no_grad()) for (int i = 0; i < a.Length; i++) b[i].copy_(a[i]);
            using var second = Create(b);
            using (var scope = torch.NewDisposeScope())
            {
                var saved = OptimizerCheckpoint.Export(first);
                string[] expectedKeys = kind == "sgd"
                    ? ["0.momentum_buffer", "1.momentum_buffer"]
                    : amsgrad
                        ? ["0.exp_avg", "0.exp_avg_sq", "0.max_exp_avg_sq", "0.step", "1.exp_avg", "1.exp_avg_sq", "1.max_exp_avg_sq", "1.step"]
                        : ["0.exp_avg", "0.exp_avg_sq", "0.step", "1.exp_avg", "1.exp_avg_sq", "1.step"];
                CollectionAssert.AreEquivalent(expectedKeys, saved.Keys.ToArray());
                CollectionAssert.AreEquivalent(expectedKeys, OptimizerCheckpoint.Entries(first).Select(e => e.Name).ToArray());
                OptimizerCheckpoint.Import(second, saved);
            }
            if (kind != "sgd") Assert.AreEqual(2L, OptimizerCheckpoint.StepCount(second));

            for (int step = 0; step < 3; step++)
            {
                Train(first, a);
                Train(second, b);
            }
            for (int i = 0; i < a.Length; i++) CollectionAssert.AreEqual(Values(a[i]), Values(b[i]), $"parameter {i}");

            // The export is a copy: training on does not change it.
            using (var scope = torch.NewDisposeScope())
            {
                var snapshot = OptimizerCheckpoint.Export(first);
                var key = kind == "sgd" ? "0.momentum_buffer" : "0.exp_avg";
                var before = Values(snapshot[key]);
                Train(first, a);
                CollectionAssert.AreEqual(before, Values(snapshot[key]));
            }
        }
        finally
        {
            foreach (var p in a.Concat(b)) p.Dispose();
        }
    }

    [TestMethod]
    public void Import_ValidatesEverythingBeforeChangingAnything()
    {
        var a = InitialParameters(ScalarType.Float32);
        try
        {
            using var adam = new FusedAdam(a, 0.1);
            Train(adam, a);
            using var scope = torch.NewDisposeScope();
            var good = OptimizerCheckpoint.Export(adam);
            var before = Values(good["0.exp_avg"]);

            Dictionary<string, Tensor> With(string key, Tensor? value)
            {
                var d = new Dictionary<string, Tensor>(good);
                if (value is null) d.Remove(key); else d[key] = value;
                return d;
            }
            var e = Assert.ThrowsExactly<ArgumentException>(() => OptimizerCheckpoint.Import(adam, With("1.exp_avg", torch.zeros(7))));
            StringAssert.Contains(e.Message, "Optimizer state '1.exp_avg' has shape [7], expected [3].");
            e = Assert.ThrowsExactly<ArgumentException>(() => OptimizerCheckpoint.Import(adam, With("0.exp_avg_sq", null)));
            StringAssert.Contains(e.Message, "Optimizer state '0.exp_avg_sq' is missing");
            e = Assert.ThrowsExactly<ArgumentException>(() => OptimizerCheckpoint.Import(adam, With("2.exp_avg", torch.zeros(3))));
            StringAssert.Contains(e.Message, "'2.exp_avg' is not part of the state");
            e = Assert.ThrowsExactly<ArgumentException>(() => OptimizerCheckpoint.Import(adam, With("0.step", torch.tensor(1.5))));
            StringAssert.Contains(e.Message, "'0.step' must be one integer");
            e = Assert.ThrowsExactly<ArgumentException>(() => OptimizerCheckpoint.Import(adam, With("0.step", torch.tensor(-1L))));
            StringAssert.Contains(e.Message, "negative step count");
            // Nothing was changed by the rejected imports: the state still equals the export.
            var now = OptimizerCheckpoint.Export(adam);
            CollectionAssert.AreEqual(before, Values(now["0.exp_avg"]));
            Assert.AreEqual(1L, now["0.step"].item<long>());
        }
        finally
        {
            foreach (var p in a) p.Dispose();
        }
    }

    [TestMethod]
    public void Reset_ReturnsToAFreshOptimizer()
    {
        var a = InitialParameters(ScalarType.Float32);
        var b = InitialParameters(ScalarType.Float32);
        try
        {
            using var used = new FusedAdam(a, 0.1);
            for (int i = 0; i < 3; i++) Train(used, a);
            OptimizerCheckpoint.Reset(used);
            Assert.AreEqual(0L, OptimizerCheckpoint.StepCount(used));
            using var fresh = new FusedAdam(b, 0.1);
            using (torch.no_grad()) for (int i = 0; i < a.Length; i++) b[i].copy_(a[i]);
            for (int i = 0; i < 2; i++)
            {
                Train(used, a);
                Train(fresh, b);
            }
            for (int i = 0; i < a.Length; i++) CollectionAssert.AreEqual(Values(b[i]), Values(a[i]));

            using var sgd = torch.optim.SGD(a, 0.1, momentum: 0.9);
            Train(sgd, a);
            OptimizerCheckpoint.Reset(sgd);
            using var scope = torch.NewDisposeScope();
            Assert.AreEqual(0, OptimizerCheckpoint.Export(sgd).Count, "no momentum buffers after a reset");
            Assert.ThrowsExactly<NotSupportedException>(() => OptimizerCheckpoint.StepCount(sgd));
        }
        finally
        {
            foreach (var p in a.Concat(b)) p.Dispose();
        }
    }

    [TestMethod]
    public void UnsupportedOptimizersAreRejectedClearly()
    {
        var a = InitialParameters();
        try
        {
            using var rms = torch.optim.RMSProp(a);
            var e = Assert.ThrowsExactly<NotSupportedException>(() => OptimizerCheckpoint.Export(rms));
            StringAssert.Contains(e.Message, "RMSProp");
        }
        finally
        {
            foreach (var p in a) p.Dispose();
        }
    }

    /// <summary>
    /// Like an in-place update by libtorch, the fused update advances the parameter's version, so
    /// back-propagating through a graph that saved the old value fails instead of silently using the new one.
    /// </summary>
    [TestMethod]
    [DataRow("torch")]
    [DataRow("fused")]
    public void Step_InvalidatesGraphsThatSavedTheOldValues(string kind)
    {
        using var init = torch.tensor(new float[] { 0.5f, -1f, 2f });
        using var p = new Parameter(init);
        using var opt = NewAdam(kind, [p], 0.1, 0.9, 0.999, 1e-8, 0, false);
        using var scope = torch.NewDisposeScope();
        var loss = (p * p).sum(); // saves p for its backward
        loss.backward(retain_graph: true);
        opt.step();
        Assert.ThrowsExactly<System.Runtime.InteropServices.ExternalException>(() => loss.backward());
    }

    private static void Train(optim.Optimizer optimizer, IReadOnlyList<Tensor> parameters)
    {
        using var scope = torch.NewDisposeScope();
        optimizer.zero_grad();
        Loss(parameters).backward();
        optimizer.step();
    }

    [TestMethod]
    public void Constructor_ValidatesArguments()
    {
        using var zero = torch.zeros(1);
        using var p = new Parameter(zero);
        Assert.ThrowsExactly<ArgumentNullException>(() => new FusedAdam(null!));
        Assert.ThrowsExactly<ArgumentException>(() => new FusedAdam([]));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new FusedAdam([p], -1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new FusedAdam([p], double.NaN));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new FusedAdam([p], beta1: 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new FusedAdamW([p], beta2: -0.1));
        Assert.ThrowsExactly<ArgumentException>(() => torch.optim.SGD([p], 0.1, momentum: 0, nesterov: true));
        using var adamW = new FusedAdamW([p]);
        Assert.AreEqual(0.01, ((AdamW.Options)((ParamGroup)adamW.ParamGroups.Single()).Options).weight_decay);
        Assert.AreEqual(1e-3, adamW.GetLearningRate());
    }
}
