namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Backward, gradient accumulation, Autograd.Grad (including second derivatives), detaching and grad mode.</summary>
[TestClass]
public sealed class AutogradTests : TorchTestBase
{
    [TestMethod]
    public void Grad_IsNullBeforeBackward_AndSetAfter()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 2, 3 }).RequiresGrad_();
        Assert.IsTrue(x.RequiresGrad);
        Assert.IsTrue(x.IsLeaf);
        Assert.IsNull(x.Grad);
        var y = (x * x).Sum();
        Assert.IsFalse(y.IsLeaf);
        Assert.IsNull(x.Grad);
        y.Backward();
        TensorAssert.Close([2, 4, 6], x.Grad!, 0);
    }

    [TestMethod]
    public void Backward_Accumulates_UntilTheGradIsCleared()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 2 }).RequiresGrad_();
        (x * 3).Sum().Backward();
        (x * x).Sum().Backward();
        TensorAssert.Close([5, 7], x.Grad!, 0);
        x.Grad = null;
        Assert.IsNull(x.Grad);
        (x * 2).Sum().Backward();
        TensorAssert.Close([2, 2], x.Grad!, 0);
        x.Grad = Torch.Full([2], 10, DType.Float64);
        (x * 2).Sum().Backward();
        TensorAssert.Close([12, 12], x.Grad!, 0);
    }

    [TestMethod]
    public void Backward_WithGradient_OfANonScalar()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 2, 3 }).RequiresGrad_();
        var y = x.Square();
        y.Backward(Tensor.From(new double[] { 1, 0.5, -1 }));
        // dy/dx = 2x, weighted by the given gradient.
        TensorAssert.Close([2, 2, -6], x.Grad!, 0);
        Assert.ThrowsExactly<TorchException>(() => x.Square().Backward(), "A non-scalar needs a gradient.");
    }

    [TestMethod]
    public void Backward_RetainGraph_AllowsASecondPass()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 2 }).RequiresGrad_();
        var y = x.Exp().Sum();
        y.Backward(retainGraph: true);
        y.Backward();
        TensorAssert.Close([2 * Math.E, 2 * Math.Exp(2)], x.Grad!, 1e-12);
        // Without retainGraph the saved tensors are freed after the first pass.
        var z = x.Exp().Sum();
        z.Backward();
        var ex = Assert.ThrowsExactly<TorchException>(() => z.Backward());
        Assert.Contains("second time", ex.Message);
    }

    [TestMethod]
    public void AutogradGrad_ReturnsGradientsWithoutAccumulating()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 2 }).RequiresGrad_();
        var w = Tensor.From(new double[] { 3, -1 }).RequiresGrad_();
        var unused = Tensor.From(new double[] { 0 }).RequiresGrad_();
        var y = (x * w).Sum() + x.Square().Sum();
        var grads = Autograd.Grad([y], [x, w, unused], allowUnused: true);
        TensorAssert.Close([3 + 2, -1 + 4], grads[0]!, 0);
        TensorAssert.Close([1, 2], grads[1]!, 0);
        Assert.IsNull(grads[2]);
        Assert.IsNull(x.Grad, "Autograd.Grad does not touch .Grad.");
        Assert.IsNull(w.Grad);
    }

    [TestMethod]
    public void AutogradGrad_WithGradOutputs_AndSeveralOutputs()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 2 }).RequiresGrad_();
        var a = x * 2;
        var b = x.Square();
        var grads = Autograd.Grad([a, b], [x], [Tensor.From(new double[] { 1, 1 }), Tensor.From(new double[] { 0.5, 2 })]);
        // 2·1 + 2x·g: [2 + 1, 2 + 8].
        TensorAssert.Close([3, 10], grads[0]!, 0);
        Assert.ThrowsExactly<ArgumentException>(() => Autograd.Grad([a], [x], [Torch.Ones([2]), Torch.Ones([2])]));
    }

    [TestMethod]
    public void AutogradGrad_CreateGraph_GivesSecondDerivatives()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 0.5, 2 }).RequiresGrad_();
        var y = (x.Pow(3) + x.Sin()).Sum();
        var dy = Autograd.Grad(y, x, createGraph: true);
        TensorAssert.Close([3 * 0.25 + Math.Cos(0.5), 12 + Math.Cos(2)], dy, 1e-14);
        Assert.IsTrue(dy.RequiresGrad);
        var d2y = Autograd.Grad(dy.Sum(), x);
        TensorAssert.Close([6 * 0.5 - Math.Sin(0.5), 12 - Math.Sin(2)], d2y, 1e-14);
        // Without createGraph the first derivative is a constant.
        var plain = Autograd.Grad((x.Pow(3)).Sum(), x);
        Assert.IsFalse(plain.RequiresGrad);
    }

    [TestMethod]
    public void Backward_CreateGraph_AllowsAGradientPenalty()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 3 }).RequiresGrad_();
        var y = x.Pow(3).Sum();
        var g = Autograd.Grad(y, x, retainGraph: true, createGraph: true); // 3x²
        var penalty = g.Square().Sum(); // Σ 9x⁴ → d/dx = 36x³
        penalty.Backward();
        TensorAssert.Close([36, 36 * 27], x.Grad!, 1e-10);
    }

    [TestMethod]
    public void AutogradGrad_OutputIndependentOfInput_Throws()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1 }).RequiresGrad_();
        var other = Tensor.From(new double[] { 1 }).RequiresGrad_();
        var y = (other * 2).Sum();
        Assert.ThrowsExactly<TorchException>(() => Autograd.Grad(y, x));
    }

    [TestMethod]
    public void Detach_StopsGradients()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 2, 3 }).RequiresGrad_();
        var d = x.Detach();
        Assert.IsFalse(d.RequiresGrad);
        Assert.IsTrue(d.IsLeaf);
        // d shares data with x.
        CollectionAssert.AreEqual(x.ToArray<double>(), d.ToArray<double>());
        var y = (x * d).Sum(); // gradient flows through x only: d
        y.Backward();
        TensorAssert.Close([2, 3], x.Grad!, 0);
    }

    [TestMethod]
    public void NoGrad_DisablesRecording_AndRestores()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1 }).RequiresGrad_();
        Assert.IsTrue(GradMode.IsEnabled);
        using (Torch.NoGrad())
        {
            Assert.IsFalse(GradMode.IsEnabled);
            Assert.IsFalse((x * 2).RequiresGrad);
            using (Torch.EnableGrad())
            {
                Assert.IsTrue(GradMode.IsEnabled);
                Assert.IsTrue((x * 2).RequiresGrad);
            }
            Assert.IsFalse(GradMode.IsEnabled);
        }
        Assert.IsTrue(GradMode.IsEnabled);
        Assert.IsTrue((x * 2).RequiresGrad);
    }

    [TestMethod]
    public void RequiresGrad_OnANonLeaf_IsRejected()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1 }).RequiresGrad_();
        var y = x * 2;
        Assert.ThrowsExactly<TorchException>(() => y.RequiresGrad = false);
        Assert.ThrowsExactly<ArgumentException>(() => Tensor.From(new long[] { 1 }).RequiresGrad_());
    }
}
