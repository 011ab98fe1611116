namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// Base of the posterior-metric tests: every test must release every tensor it creates, leave no
/// dispose scope open and leave autograd on.
/// </summary>
public abstract class MetricTestBase : LeakCheckedTest;
