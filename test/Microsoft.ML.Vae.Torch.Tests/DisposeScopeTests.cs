namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Ownership of tensors by dispose scopes: nesting, handing results out, detaching and manual disposal.</summary>
[TestClass]
public sealed class DisposeScopeTests : TorchTestBase
{
    [TestMethod]
    public void Scope_DisposesEverythingCreatedInside()
    {
        long before = Tensor.LiveCount;
        Tensor a, b;
        using (var scope = Torch.NewDisposeScope())
        {
            Assert.AreSame(scope, DisposeScope.Current);
            a = Torch.Ones([3]);
            b = a * 2 + 1;
            Assert.AreEqual(before + 3, Tensor.LiveCount); // a, the intermediate a*2, and b
            Assert.AreEqual(3, scope.Count);
        }
        Assert.IsTrue(a.IsDisposed);
        Assert.IsTrue(b.IsDisposed);
        Assert.AreEqual(before, Tensor.LiveCount);
        Assert.IsNull(DisposeScope.Current);
    }

    [TestMethod]
    public void NestedScopes_OwnOnlyTheirOwnTensors()
    {
        using var outer = Torch.NewDisposeScope();
        var a = Torch.Ones([1]);
        Tensor b;
        using (var inner = Torch.NewDisposeScope())
        {
            Assert.AreSame(inner, DisposeScope.Current);
            b = Torch.Zeros([1]);
            Assert.AreEqual(1, inner.Count);
            Assert.AreEqual(1, outer.Count);
        }
        Assert.AreSame(outer, DisposeScope.Current);
        Assert.IsTrue(b.IsDisposed);
        Assert.IsFalse(a.IsDisposed);
    }

    [TestMethod]
    public void MoveToOuter_HandsTheResultToTheEnclosingScope()
    {
        Tensor kept, dropped;
        using (var outer = Torch.NewDisposeScope())
        {
            using (var inner = Torch.NewDisposeScope())
            {
                dropped = Torch.Ones([2]);
                kept = (dropped * 3).MoveToOuterScope();
                Assert.AreEqual(1, inner.Count);
                Assert.AreEqual(1, outer.Count);
            }
            Assert.IsTrue(dropped.IsDisposed);
            Assert.IsFalse(kept.IsDisposed);
            TensorAssert.Close([3, 3], kept, 0);
        }
        Assert.IsTrue(kept.IsDisposed, "The outer scope disposes what it received.");

        // From the outermost scope a moved tensor belongs to nobody: the caller disposes it.
        Tensor free;
        using (var only = Torch.NewDisposeScope()) free = only.MoveToOuter(Torch.Ones([1]));
        Assert.IsFalse(free.IsDisposed);
        free.Dispose();
        // Moving a tensor the scope does not own changes nothing.
        using var s1 = Torch.NewDisposeScope();
        var x = Torch.Ones([1]);
        using (var s2 = Torch.NewDisposeScope())
        {
            Assert.AreSame(x, s2.MoveToOuter(x));
            Assert.AreEqual(0, s2.Count);
        }
        Assert.IsFalse(x.IsDisposed);
    }

    [TestMethod]
    public void Detach_TakesATensorOutOfEveryScope()
    {
        Tensor detached;
        using (var outer = Torch.NewDisposeScope())
        using (var inner = Torch.NewDisposeScope())
        {
            detached = Torch.Ones([2]).DetachFromScope();
            Assert.AreEqual(0, inner.Count);
            var other = Torch.Ones([2]);
            Assert.AreSame(other, DisposeScope.Detach(other));
            other.Dispose();
        }
        Assert.IsFalse(detached.IsDisposed);
        CollectionAssert.AreEqual(new float[] { 1, 1 }, detached.ToArray<float>());
        detached.Dispose();
    }

    [TestMethod]
    public void DisposeEverythingBut_KeepsTheGivenTensors()
    {
        using var outer = Torch.NewDisposeScope();
        Tensor keep1, keep2, drop;
        using (var inner = Torch.NewDisposeScope())
        {
            keep1 = Torch.Ones([1]);
            keep2 = Torch.Zeros([1]);
            drop = Torch.Full([1], 5);
            inner.DisposeEverythingBut(keep1, keep2);
            Assert.AreEqual(0, inner.Count);
            Assert.IsTrue(drop.IsDisposed);
            Assert.IsFalse(keep1.IsDisposed);
            // The scope stays usable for new tensors.
            var later = Torch.Ones([1]);
            Assert.AreEqual(1, inner.Count);
        }
        Assert.IsFalse(keep1.IsDisposed);
        Assert.IsFalse(keep2.IsDisposed);
        Assert.AreEqual(2, outer.Count);
    }

    [TestMethod]
    public void ManualDispose_UnregistersTheTensor()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Torch.Ones([1]);
        var b = Torch.Ones([1]);
        Assert.AreEqual(2, scope.Count);
        a.Dispose();
        Assert.AreEqual(1, scope.Count);
        using (var t = Torch.Ones([1])) Assert.AreEqual(2, scope.Count);
        Assert.AreEqual(1, scope.Count);
        b.Dispose();
        Assert.AreEqual(0, scope.Count);
    }

    [TestMethod]
    public void TuplesAndArrays_AreOwnedLikeAnyTensor()
    {
        long before = Tensor.LiveCount;
        using (var scope = Torch.NewDisposeScope())
        {
            var x = Torch.Arange(6, DType.Float32).View(2, 3);
            var (values, indices) = x.Max(1);
            var chunks = x.Chunk(3, 1);
            var grads = Autograd.Grad([x.RequiresGrad_().Sum()], [x]);
            // arange and its view, max's pair, three chunks, the sum and its gradient.
            Assert.AreEqual(2 + 2 + 3 + 1 + 1, scope.Count);
        }
        Assert.AreEqual(before, Tensor.LiveCount);
    }

    [TestMethod]
    public void Scopes_ArePerThread()
    {
        using var scope = Torch.NewDisposeScope();
        Tensor? fromOtherThread = null;
        var thread = new Thread(() =>
        {
            Assert.IsNull(DisposeScope.Current);
            fromOtherThread = Torch.Ones([1]);
        });
        thread.Start();
        thread.Join();
        Assert.AreEqual(0, scope.Count);
        Assert.IsFalse(fromOtherThread!.IsDisposed);
        fromOtherThread.Dispose();
    }

    [TestMethod]
    public void DisposingAnOuterScope_ClosesInnerScopesLeftOpen()
    {
        var outer = Torch.NewDisposeScope();
        var innerTensor = default(Tensor);
        var inner = Torch.NewDisposeScope();
        innerTensor = Torch.Ones([1]);
        outer.Dispose();
        Assert.IsNull(DisposeScope.Current);
        inner.Dispose();
        Assert.IsTrue(innerTensor.IsDisposed);
        Assert.IsNull(DisposeScope.Current);
    }

    [TestMethod]
    public void DisposingOnAnotherThread_Throws()
    {
        var scope = Torch.NewDisposeScope();
        Exception? error = null;
        var thread = new Thread(() => { try { scope.Dispose(); } catch (Exception ex) { error = ex; } });
        thread.Start();
        thread.Join();
        Assert.IsInstanceOfType<InvalidOperationException>(error);
        scope.Dispose();
        Assert.IsNull(DisposeScope.Current);
    }
}
