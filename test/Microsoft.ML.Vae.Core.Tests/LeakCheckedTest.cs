using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// Base of tests that must release every tensor they create, leave no dispose scope open and leave
/// autograd on; the check runs after each test.
/// </summary>
public abstract class LeakCheckedTest
{
    private long _liveBaseline;
    private long _expectedStray;

    /// <summary>Records the live tensor count before the test.</summary>
    [TestInitialize]
    public void RecordLiveTensors()
    {
        // Finalize leftovers of earlier tests so they cannot change the count during this one.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        _liveBaseline = LiveTensors.Count;
        _expectedStray = 0;
    }

    /// <summary>
    /// Allows tensors that TorchSharp itself leaves to the garbage collector (its Conv2d constructor leaves
    /// one per convolution with a bias), so they are not counted as the test's leaks.
    /// </summary>
    protected void ExpectStrayTensors(long count) => _expectedStray += count;

    /// <summary>Fails the test when it leaked tensors, left a dispose scope open or left autograd off.</summary>
    [TestCleanup]
    public void AssertNoLeaks()
    {
        bool gradEnabled = torch.is_grad_enabled();
        var openScope = torch.CurrentDisposeScope;
        long live = LiveTensors.Count;
        if (!gradEnabled) torch.set_grad_enabled(true);
        openScope?.Dispose();
        Assert.IsTrue(gradEnabled, "The test left autograd disabled.");
        Assert.IsNull(openScope, "The test left a dispose scope open.");
        long leaked = live - _liveBaseline - _expectedStray;
        Assert.AreEqual(0, leaked, $"The test leaked {leaked} tensor(s).");
    }
}
