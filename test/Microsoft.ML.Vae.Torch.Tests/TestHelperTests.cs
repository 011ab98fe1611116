namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>The shared test helpers can fail: a leak fails the cleanup check, a wrong gradient fails the finite-difference check.</summary>
[TestClass]
public sealed class TestHelperTests : TorchTestBase
{
    /// <summary>A bare instance of the base class, driven by hand.</summary>
    private sealed class Probe : TorchTestBase;

    [TestMethod]
    public void LeakCheck_FailsWhenATensorIsLeftAlive()
    {
        var probe = new Probe();
        probe.RecordLiveTensors();
        var leaked = Torch.Zeros([1]);
        Assert.ThrowsExactly<AssertFailedException>(probe.AssertNoLeaks);
        leaked.Dispose();
        probe.AssertNoLeaks();
    }

    [TestMethod]
    public void LeakCheck_FailsWhenAScopeOrNoGradIsLeftOpen()
    {
        var probe = new Probe();
        probe.RecordLiveTensors();
        Torch.NewDisposeScope();
        Assert.ThrowsExactly<AssertFailedException>(probe.AssertNoLeaks);
        Assert.IsNull(DisposeScope.Current, "The check closes the scope it complains about.");

        probe.RecordLiveTensors();
        Torch.NoGrad();
        Assert.ThrowsExactly<AssertFailedException>(probe.AssertNoLeaks);
        Assert.IsTrue(GradMode.IsEnabled, "The check turns autograd back on.");
    }

    [TestMethod]
    public void GradientCheck_FailsForAWrongGradient()
    {
        using var x = GradientCheck.Input([3], seed: 1, margin: 0.1);
        // Detaching one factor hides half of d(x²)/dx from autograd: 2x numerically, x analytically.
        Assert.ThrowsExactly<AssertFailedException>(() => GradientCheck.Assert(t => t[0].Detach() * t[0], x));
        GradientCheck.Assert(t => t[0] * t[0], x);
    }

    [TestMethod]
    public void GradientCheck_RefusesAFunctionIndependentOfItsInput()
    {
        using var x = GradientCheck.Input([3], seed: 1);
        Assert.ThrowsExactly<AssertFailedException>(() => GradientCheck.Assert(t => t[0] * 0 + 1, x));
    }
}
