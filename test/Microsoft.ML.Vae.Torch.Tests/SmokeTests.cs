using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Torch.Tests;

[TestClass]
public sealed class SmokeTests
{
    [TestMethod]
    public void AddMatMulBackward()
    {
        using var scope = Torch.NewDisposeScope();
        var a = Tensor.From(new float[] { 1, 2, 3, 4 }, 2, 2).RequiresGrad_();
        var b = Torch.Ones([2, 2]);
        var c = Torch.MatMul(a, b) + 1.0;
        CollectionAssert.AreEqual(new float[] { 4, 4, 8, 8 }, c.ToArray<float>());
        c.Sum().Backward();
        CollectionAssert.AreEqual(new float[] { 2, 2, 2, 2 }, a.Grad!.ToArray<float>());
        Assert.ThrowsExactly<ArgumentException>(() => Torch.MatMul(a, Torch.Ones([3, 3])));
        Assert.IsTrue(Torch.Threads >= 1);
    }
}
