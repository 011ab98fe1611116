using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// Base of the posterior-metric tests: every test must release every tensor it creates, leave no
/// dispose scope open and leave autograd on.
/// </summary>
public abstract class MetricTestBase
{
    private long _liveBaseline;

    /// <summary>Records the live tensor count before the test.</summary>
    [TestInitialize]
    public void RecordLiveTensors()
    {
        // Finalize leftovers of earlier tests so they cannot change the count during this one.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        _liveBaseline = LiveTensors.Count;
    }

    /// <summary>Fails the test when it leaked tensors, left a scope open or left autograd off.</summary>
    [TestCleanup]
    public void AssertNoLeaks()
    {
        bool gradEnabled = torch.is_grad_enabled();
        var openScope = torch.CurrentDisposeScope;
        long live = LiveTensors.Count;
        openScope?.Dispose();
        Assert.IsTrue(gradEnabled, "The test left autograd disabled.");
        Assert.IsNull(openScope, "The test left a dispose scope open.");
        Assert.AreEqual(_liveBaseline, live, $"The test leaked {live - _liveBaseline} tensor(s).");
    }
}
