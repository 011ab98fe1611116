namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>
/// Base of every binding test: each test must release every tensor it creates. The live count is
/// compared without forcing finalizers, so a tensor left to the garbage collector fails the test.
/// </summary>
public abstract class TorchTestBase
{
    private long _liveBaseline;
    private long _nativeBaseline;

    /// <summary>Records the live tensor counts before the test runs.</summary>
    [TestInitialize]
    public void RecordLiveTensors()
    {
        // Finalize leftovers of earlier tests (or other test classes) so they cannot change the
        // count during this test; the test's own tensors are not yet born, so nothing is hidden.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        _liveBaseline = Tensor.LiveCount;
        _nativeBaseline = Torch.NativeLiveTensors;
    }

    /// <summary>Fails the test when it leaked tensors, left a dispose scope open or left autograd off.</summary>
    [TestCleanup]
    public void AssertNoLeaks()
    {
        bool gradEnabled = GradMode.IsEnabled;
        var openScope = DisposeScope.Current;
        long live = Tensor.LiveCount, native = Torch.NativeLiveTensors;

        // Restore a sane state first so one failing test does not cascade into the next.
        if (!gradEnabled) Torch.EnableGrad();
        openScope?.Dispose();

        Assert.IsTrue(gradEnabled, "The test left autograd disabled.");
        Assert.IsNull(openScope, "The test left a dispose scope open.");
        Assert.AreEqual(_liveBaseline, live, $"The test leaked {live - _liveBaseline} managed tensor(s).");
        Assert.AreEqual(_nativeBaseline, native, $"The test leaked {native - _nativeBaseline} native tensor handle(s).");
    }

    /// <summary>
    /// Runs <paramref name="run"/> on one and then two libtorch threads (restoring the thread count after)
    /// and asserts that every output array is bitwise the same.
    /// </summary>
    protected static void AssertSameOnOneAndTwoThreads(Func<float[][]> run)
    {
        int threads = Torch.Threads;
        float[][] one, two;
        try
        {
            Torch.Threads = 1;
            one = run();
            Torch.Threads = 2;
            two = run();
        }
        finally
        {
            Torch.Threads = threads;
        }
        Assert.HasCount(one.Length, two);
        for (int i = 0; i < one.Length; i++) CollectionAssert.AreEqual(one[i], two[i], $"output {i}");
    }
}
