using Microsoft.ML.Vae.Torch.NN;
using Microsoft.ML.Vae.Torch.Optim;
using Microsoft.ML.Vae.Torch.Serialization;

namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>
/// libtorch errors become .NET exceptions with libtorch's one-line message (never a crash, never a
/// C++ backtrace), per thread; disposed and null arguments are rejected before reaching native code.
/// </summary>
[TestClass]
public sealed class ErrorTests : TorchTestBase
{
    private static void AssertNoBacktrace(Exception ex)
    {
        Assert.IsFalse(string.IsNullOrWhiteSpace(ex.Message));
        Assert.DoesNotContain("Exception raised from", ex.Message);
        Assert.DoesNotContain("frame #", ex.Message);
        Assert.DoesNotContain(".cpp:", ex.Message);
        Assert.IsFalse(ex.Message.Contains('\n'), $"One line expected: {ex.Message}");
    }

    [TestMethod]
    public void ShapeMismatch_IsArgumentExceptionWithLibtorchsMessage()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Torch.Ones([2, 3]);
        var ex = Assert.ThrowsExactly<ArgumentException>(() => Torch.MatMul(a, Torch.Ones([4, 5])));
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)", ex.Message);
        AssertNoBacktrace(ex);

        ex = Assert.ThrowsExactly<ArgumentException>(() => a + Torch.Ones([4]));
        Assert.Contains("must match the size", ex.Message);
        AssertNoBacktrace(ex);

        ex = Assert.ThrowsExactly<ArgumentException>(() => a.View(4));
        Assert.Contains("shape '[4]' is invalid for input of size 6", ex.Message);
        AssertNoBacktrace(ex);

        ex = Assert.ThrowsExactly<ArgumentException>(() => Functional.Conv2d(Torch.Zeros([1, 3, 8, 8]), Torch.Zeros([4, 2, 3, 3])));
        Assert.Contains("channels", ex.Message);
        AssertNoBacktrace(ex);

        ex = Assert.ThrowsExactly<ArgumentException>(() => Torch.Cat([a, Torch.Ones([2, 2])]));
        AssertNoBacktrace(ex);
        ex = Assert.ThrowsExactly<ArgumentException>(() => Torch.Bmm(Torch.Ones([2, 2]), Torch.Ones([2, 2])));
        AssertNoBacktrace(ex);
    }

    [TestMethod]
    public void IndexErrors_AreIndexOutOfRangeException()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Zeros([2, 3]);
        var ex = Assert.ThrowsExactly<IndexOutOfRangeException>(() => x.Select(1, 5));
        Assert.Contains("out of range", ex.Message);
        AssertNoBacktrace(ex);
        ex = Assert.ThrowsExactly<IndexOutOfRangeException>(() => x.Sum(2));
        Assert.Contains("Dimension out of range", ex.Message);
        AssertNoBacktrace(ex);
        Assert.ThrowsExactly<IndexOutOfRangeException>(() => x.Transpose(0, 3));
        Assert.ThrowsExactly<IndexOutOfRangeException>(() => x.IndexSelect(1, Tensor.From(new long[] { 0, 3 })));
        Assert.ThrowsExactly<IndexOutOfRangeException>(() => x.Size(2));
        Assert.ThrowsExactly<IndexOutOfRangeException>(() => x.Softmax(-3));
    }

    [TestMethod]
    public void OtherErrors_AreTorchExceptions()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Ones([2]);
        var ex = Assert.ThrowsExactly<TorchException>(() => x.Sum().Backward());
        Assert.Contains("does not require grad", ex.Message);
        AssertNoBacktrace(ex);
        var y = Torch.Ones([2]).RequiresGrad_();
        ex = Assert.ThrowsExactly<TorchException>(() => (y * 2).Backward());
        Assert.Contains("only for scalar outputs", ex.Message);
        // Converting a multi-element tensor to a number.
        Assert.Throws<Exception>(() => x.Item());
    }

    [TestMethod]
    public void DisposedTensor_IsObjectDisposedException()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Ones([2]);
        var other = Torch.Ones([2]);
        x.Dispose();
        Assert.IsTrue(x.IsDisposed);
        Assert.AreEqual("Tensor(disposed)", x.ToString());
        Assert.ThrowsExactly<ObjectDisposedException>(() => x.Shape);
        Assert.ThrowsExactly<ObjectDisposedException>(() => x.Sum());
        Assert.ThrowsExactly<ObjectDisposedException>(() => x.ToArray<float>());
        Assert.ThrowsExactly<ObjectDisposedException>(() => other + x);
        Assert.ThrowsExactly<ObjectDisposedException>(() => x + other);
        Assert.ThrowsExactly<ObjectDisposedException>(() => Torch.Cat([other, x]));
        Assert.ThrowsExactly<ObjectDisposedException>(() => Functional.Linear(other, x));
        Assert.ThrowsExactly<ObjectDisposedException>(() => Functional.Linear(other.View(1, 2), other.View(1, 2), x));
        Assert.ThrowsExactly<ObjectDisposedException>(() => Autograd.Grad([other], [x]));
        Assert.ThrowsExactly<ObjectDisposedException>(() => x.Backward());
        Assert.ThrowsExactly<ObjectDisposedException>(() => x.Grad);
        Assert.ThrowsExactly<ObjectDisposedException>(() => other.Copy_(x));
        x.Dispose(); // a second dispose is harmless
    }

    [TestMethod]
    public void OptimizerOverDisposedParameters_Throws_InsteadOfCrashing()
    {
        var p = Torch.Ones([2]).RequiresGrad_();
        using var adam = new Adam([p], 0.1);
        using var sgd = new Sgd([p], 0.1, momentum: 0.9);
        p.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => adam.Step());
        Assert.ThrowsExactly<ObjectDisposedException>(() => sgd.Step());
        Assert.ThrowsExactly<ObjectDisposedException>(() => adam.ZeroGrad());
        Assert.ThrowsExactly<ObjectDisposedException>(() => GradientClipping.ClipGradNorm([p], 1));
    }

    [TestMethod]
    public void DisposedOptimizer_Throws_InsteadOfCrashing()
    {
        using var scope = Torch.NewDisposeScope();
        var p = Torch.Ones([2]).RequiresGrad_();
        var adam = new Adam([p], 0.1);
        var sgd = new Sgd([p], 0.1, momentum: 0.9);
        (p * 2).Sum().Backward();
        adam.Dispose();
        sgd.Dispose();
        Assert.ThrowsExactly<ObjectDisposedException>(() => adam.Step());
        Assert.ThrowsExactly<ObjectDisposedException>(() => sgd.Step());
    }

    [TestMethod]
    public void NullArguments_AreArgumentNullException()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Ones([2, 2]);
        Assert.ThrowsExactly<ArgumentNullException>(() => x + (Tensor)null!);
        Assert.ThrowsExactly<ArgumentNullException>(() => x.Add(null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => x.Mul_(null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => Torch.MatMul(null!, x));
        Assert.ThrowsExactly<ArgumentNullException>(() => Torch.MatMul(x, null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => Torch.Where(null!, x, x));
        Assert.ThrowsExactly<ArgumentNullException>(() => x.Gather(0, null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => x.MaskedFill(null!, 1));
        Assert.ThrowsExactly<ArgumentNullException>(() => Torch.Cat(null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => Torch.Cat([x, null!]));
        Assert.ThrowsExactly<ArgumentNullException>(() => Torch.ZerosLike(null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => Torch.Multinomial(null!, 1));
        Assert.ThrowsExactly<ArgumentNullException>(() => Torch.Eigh(null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => Functional.Conv2d(null!, x));
        Assert.ThrowsExactly<ArgumentNullException>(() => Functional.MseLoss(x, null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => Functional.CrossEntropy(null!, x));
        Assert.ThrowsExactly<ArgumentNullException>(() => Autograd.Grad(null!, [x]));
        Assert.ThrowsExactly<ArgumentNullException>(() => Autograd.Grad([x], [null!]));
        Assert.ThrowsExactly<ArgumentNullException>(() => x.SetData(null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => Tensor.From((float[])null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => Tensor.From((double[])null!, 2));
        Assert.ThrowsExactly<ArgumentNullException>(() => Torch.SetRngState(null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => StateDictIO.Serialize(null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => new Sgd(null!, 0.1));
        Assert.ThrowsExactly<ArgumentNullException>(() => GradientClipping.ClipGradNorm(null!, 1));
        Assert.ThrowsExactly<ArgumentNullException>(() => DisposeScope.Detach(null!));
        using var linear = new Linear(2, 2);
        Assert.ThrowsExactly<ArgumentNullException>(() => linear.Forward(null!));
    }

    [TestMethod]
    public void ConcurrentErrors_KeepTheirOwnMessages()
    {
        // Each thread raises a different error 1000 times; the per-thread error store must never
        // hand one thread the other's message.
        const int iterations = 1000;
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Run(long rows, long inner, string expected)
        {
            using var a = Torch.Ones([rows, inner]);
            using var b = Torch.Ones([inner + 1, 2]);
            for (int i = 0; i < iterations; i++)
            {
                try
                {
                    using var c = Torch.MatMul(a, b);
                    failures.Enqueue("no exception");
                }
                catch (ArgumentException ex)
                {
                    if (!ex.Message.Contains(expected, StringComparison.Ordinal)) failures.Enqueue(ex.Message);
                }
                // A successful call between errors must not see a stale error either.
                using var ok = a.Sum();
                if (ok.Item() != rows * inner) failures.Enqueue("wrong sum");
            }
        }
        var t1 = new Thread(() => Run(2, 3, "(2x3 and 4x2)"));
        var t2 = new Thread(() => Run(5, 7, "(5x7 and 8x2)"));
        t1.Start();
        t2.Start();
        t1.Join();
        t2.Join();
        Assert.IsEmpty(failures, string.Join(" | ", failures.Take(5)));
    }

    [TestMethod]
    public void ManyErrors_NeitherCrashNorLeak()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Torch.Ones([3]);
        for (int i = 0; i < 2000; i++)
        {
            Assert.ThrowsExactly<ArgumentException>(() => x.View(2));
            Assert.ThrowsExactly<IndexOutOfRangeException>(() => x.Select(0, 3));
        }
        Assert.AreEqual(1, scope.Count, "Failed calls create no tensors.");
    }
}
