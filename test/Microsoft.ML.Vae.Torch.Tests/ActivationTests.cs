namespace Microsoft.ML.Vae.Torch.Tests;

/// <summary>Activation functions against their definitions.</summary>
[TestClass]
public sealed class ActivationTests : TorchTestBase
{
    private static readonly double[] X = { -30, -2, -0.5, 0, 0.5, 2, 30 };

    private static void Check(Func<Tensor, Tensor> op, Func<double, double> reference, double tolerance = 1e-12)
    {
        using var scope = Torch.NewDisposeScope();
        TensorAssert.Close(X.Select(reference).ToArray(), op(Tensor.From(X)), tolerance, [X.Length]);
    }

    [TestMethod]
    public void Relu() => Check(x => x.Relu(), v => Math.Max(0, v));

    [TestMethod]
    public void LeakyRelu()
    {
        Check(x => x.LeakyRelu(0.1), v => v < 0 ? 0.1 * v : v);
        Check(x => x.LeakyRelu(), v => v < 0 ? 0.01 * v : v);
    }

    [TestMethod]
    public void Elu()
    {
        Check(x => x.Elu(), v => v < 0 ? Math.Exp(v) - 1 : v);
        Check(x => x.Elu(2.0), v => v < 0 ? 2 * (Math.Exp(v) - 1) : v);
    }

    [TestMethod]
    public void Gelu_IsTheExactErfForm() =>
        // x·Φ(x); Φ(0.5) = 0.691462461274013, Φ(2) = 0.977249868051821, Φ(-2) = 1 - Φ(2).
        Check(x => x.Gelu(), v => v switch
        {
            -30 => 0, -2 => -2 * (1 - 0.977249868051821), -0.5 => -0.5 * (1 - 0.691462461274013), 0 => 0,
            0.5 => 0.5 * 0.691462461274013, 2 => 2 * 0.977249868051821, 30 => 30, _ => double.NaN,
        }, 1e-13);

    [TestMethod]
    public void Sigmoid() => Check(x => x.Sigmoid(), v => 1 / (1 + Math.Exp(-v)));

    [TestMethod]
    public void Tanh() => Check(x => x.Tanh(), Math.Tanh);

    [TestMethod]
    public void Softplus_UsesBetaAndThreshold()
    {
        Check(x => x.Softplus(), v => v > 20 ? v : Math.Log(1 + Math.Exp(v)));
        // With beta 2 and threshold 1, inputs above 0.5 pass through unchanged.
        Check(x => x.Softplus(2, 1), v => 2 * v > 1 ? v : Math.Log(1 + Math.Exp(2 * v)) / 2);
    }

    [TestMethod]
    public void Hardtanh()
    {
        Check(x => x.Hardtanh(), v => Math.Clamp(v, -1, 1));
        Check(x => x.Hardtanh(-0.25, 3), v => Math.Clamp(v, -0.25, 3));
    }

    [TestMethod]
    public void Softmax_AndLogSoftmax_AlongEachDim()
    {
        using var scope = Torch.NewDisposeScope();
        var x = Tensor.From(new double[] { 1, 2, 3, 0, 0, 0 }, 2, 3);
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        double[] rows = { Math.Exp(1) / z, Math.Exp(2) / z, Math.Exp(3) / z, 1.0 / 3, 1.0 / 3, 1.0 / 3 };
        TensorAssert.Close(rows, x.Softmax(1), 1e-15, [2, 3]);
        TensorAssert.Close(rows, x.Softmax(-1), 1e-15);
        TensorAssert.Close(rows.Select(v => Math.Log(v)).ToArray(), x.LogSoftmax(1), 1e-14, [2, 3]);
        // Along dim 0 each column is a pair: softmax(a, 0) = [σ(a-0), σ(0-a)].
        double s1 = 1 / (1 + Math.Exp(-1)), s2 = 1 / (1 + Math.Exp(-2)), s3 = 1 / (1 + Math.Exp(-3));
        TensorAssert.Close([s1, s2, s3, 1 - s1, 1 - s2, 1 - s3], x.Softmax(0), 1e-15);
        // Large logits stay finite: log-softmax is computed stably.
        var big = Tensor.From(new double[] { 1000, 0 });
        TensorAssert.Close([0, -1000], big.LogSoftmax(0), 1e-12);
        TensorAssert.Close([1, 0], big.Softmax(0), 1e-300);
    }
}
