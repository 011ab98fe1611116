using Microsoft.ML.Vae.Torch.NN;

namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Module bookkeeping: named parameters and buffers, state dicts, strict loading and dtype conversion.</summary>
[TestClass]
public sealed class ModuleStateTests : TorchTestBase
{
    /// <summary>A two-level network with a parameter, a buffer and submodules of its own.</summary>
    private sealed class Net : Layer
    {
        public Sequential Body { get; }
        public Linear Head { get; }
        public Tensor Scale { get; }
        public Tensor Offset { get; }

        public Net()
        {
            Scale = RegisterParameter("scale", Torch.Ones([2]));
            Offset = RegisterBuffer("offset", Torch.Full([2], 0.5));
            Body = RegisterModule("body", new Sequential(new Linear(3, 4), new ReLU(), new BatchNorm1d(4)));
            Head = RegisterModule("head", new Linear(4, 2));
        }

        public override Tensor Forward(Tensor input)
        {
            using var scope = Torch.NewDisposeScope();
            return (Head.Forward(Body.Forward(input)) * Scale + Offset).MoveToOuterScope();
        }
    }

    private static readonly string[] ParameterNames =
        { "scale", "body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias", "head.weight", "head.bias" };

    private static readonly string[] BufferNames =
        { "offset", "body.2.running_mean", "body.2.running_var", "body.2.num_batches_tracked" };

    [TestMethod]
    public void NamedParametersAndBuffers_UseDottedPathsInRegistrationOrder()
    {
        using var net = new Net();
        CollectionAssert.AreEqual(ParameterNames, net.NamedParameters().Select(p => p.Name).ToArray());
        CollectionAssert.AreEqual(BufferNames, net.NamedBuffers().Select(b => b.Name).ToArray());
        CollectionAssert.AreEqual(new[] { "body", "head" }, net.NamedChildren().Select(c => c.Name).ToArray());
        Assert.AreEqual(2L + 12 + 4 + 4 + 4 + 8 + 2, net.ParameterCount);
        Assert.IsTrue(net.Parameters().All(p => p.RequiresGrad));
        Assert.IsFalse(net.Offset.RequiresGrad);
        CollectionAssert.AreEquivalent(ParameterNames.Concat(BufferNames).ToArray(), net.StateDict().Keys.ToArray());
        Assert.AreSame(net.Scale, net.StateDict()["scale"], "The state dict holds the live tensors.");
    }

    [TestMethod]
    public void RegisteringDuplicateOrDottedNames_Throws()
    {
        using var scope = Torch.NewDisposeScope();
        var ex = Assert.ThrowsExactly<ArgumentException>(() => new BadNet("w", "w"));
        Assert.Contains("already registered", ex.Message);
        Assert.ThrowsExactly<ArgumentException>(() => new BadNet("a.b", "c"));
        Assert.ThrowsExactly<ArgumentException>(() => new BadNet("", "c"));
    }

    private sealed class BadNet : Module
    {
        public BadNet(string first, string second)
        {
            // On failure the constructor's tensors stay in the test's dispose scope, which releases them.
            var a = Torch.Zeros([1]);
            var b = Torch.Zeros([1]);
            try
            {
                RegisterParameter(first, a);
                RegisterParameter(second, b);
            }
            catch
            {
                Dispose();
                throw;
            }
        }
    }

    [TestMethod]
    public void LoadStateDict_CopiesValuesIntoTheLiveTensors()
    {
        using var source = new Net();
        using var target = new Net();
        var scaleBefore = target.Scale;
        using (Torch.NoGrad()) source.Scale.Fill_(3);
        source.Train();
        using (var scope = Torch.NewDisposeScope()) source.Forward(Torch.Randn([5, 3]));

        target.LoadStateDict(source.StateDict());
        Assert.AreSame(scaleBefore, target.Scale);
        foreach (var (name, tensor) in source.StateDict())
            CollectionAssert.AreEqual(tensor.ToArray<double>(), target.StateDict()[name].ToArray<double>(), name);
        Assert.AreEqual(1L, target.Body[2] is BatchNorm bn ? bn.NumBatchesTracked.ItemLong() : -1);

        using var scope2 = Torch.NewDisposeScope();
        var x = Torch.Randn([4, 3]);
        source.Eval();
        target.Eval();
        TensorAssert.Close(source.Forward(x), target.Forward(x), 0);
    }

    [TestMethod]
    public void LoadStateDict_Strict_ReportsMissingAndUnexpectedNames()
    {
        using var net = new Net();
        using var scope = Torch.NewDisposeScope();
        var state = net.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        state.Remove("head.bias");
        state["extra.weight"] = Torch.Zeros([1]);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => net.LoadStateDict(state));
        Assert.Contains("missing [head.bias]", ex.Message);
        Assert.Contains("unexpected [extra.weight]", ex.Message);

        // Non-strict loading takes what matches and ignores the rest.
        state["scale"].Fill_(7);
        net.LoadStateDict(state, strict: false);
        TensorAssert.Close([7, 7], net.Scale, 0);
    }

    [TestMethod]
    public void LoadStateDict_ShapeMismatch_IsAlwaysAnError()
    {
        using var net = new Net();
        using var scope = Torch.NewDisposeScope();
        var state = net.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
        state["head.weight"] = Torch.Zeros([2, 5]);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => net.LoadStateDict(state));
        Assert.Contains("head.weight", ex.Message);
        Assert.Contains("[2, 4]", ex.Message);
        Assert.Contains("[2, 5]", ex.Message);
        Assert.ThrowsExactly<ArgumentException>(() => net.LoadStateDict(state, strict: false));
        Assert.ThrowsExactly<ArgumentNullException>(() => net.LoadStateDict(null!));
    }

    [TestMethod]
    public void To_DType_ConvertsFloatingTensorsInPlace()
    {
        using var net = new Net();
        var parametersBefore = net.Parameters().ToArray();
        var values = net.Head.Weight.ToArray<float>();
        net.To(DType.Float64);
        Assert.IsTrue(net.Parameters().All(p => p.DType == DType.Float64));
        Assert.AreEqual(DType.Float64, net.Offset.DType);
        Assert.AreEqual(DType.Int64, ((BatchNorm)net.Body[2]).NumBatchesTracked.DType, "Integer buffers keep their dtype.");
        CollectionAssert.AreEqual(parametersBefore, net.Parameters().ToArray(), "Tensor identities survive (optimizers stay valid).");
        CollectionAssert.AreEqual(values.Select(v => (double)v).ToArray(), net.Head.Weight.ToArray<double>());
        Assert.IsTrue(net.Head.Weight.RequiresGrad);
        Assert.IsTrue(net.Head.Weight.IsLeaf);

        using var scope = Torch.NewDisposeScope();
        net.Eval();
        var y = net.Call(Torch.Randn([2, 3], DType.Float64));
        Assert.AreEqual(DType.Float64, y.DType);
        net.To(DType.BFloat16);
        Assert.AreEqual(DType.BFloat16, net.Scale.DType);
        net.To(Device.Cpu);
        Assert.AreEqual(Device.Cpu, net.Scale.Device);
    }

    [TestMethod]
    public void Dispose_ReleasesParametersBuffersAndSubmodules()
    {
        long before = Tensor.LiveCount;
        var net = new Net();
        Assert.AreEqual(before + ParameterNames.Length + BufferNames.Length, Tensor.LiveCount);
        var weight = net.Head.Weight;
        net.Dispose();
        Assert.AreEqual(before, Tensor.LiveCount);
        Assert.IsTrue(weight.IsDisposed);
        net.Dispose(); // idempotent
    }
}
