using Microsoft.ML.Vae.Core.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class ReconstructionTests : MetricTestBase
{
    [TestMethod]
    public void MeanSquaredErrorOfTheClampedMeanReconstruction()
    {
        // Encoder mean x (log-variance 0, ignored), decoder 1.6 z − 0.2, ToData clamps to [0, 1].
        float[] x = [0f, 0.25f, 0.5f, 0.75f, 1f, 0.1f, 0.9f, 0.4f, 0.6f, 0.3f, 0.7f, 0.2f];
        var model = new MetricTestModel(2, [1, 2, 3],
            input => (input.flatten(1).narrow(1, 0, 2).clone(), torch.zeros([input.size(0), 2])),
            z =>
            {
                using var scope = torch.NewDisposeScope();
                return (z * 1.6 - 0.2).repeat(1, 3).reshape(z.size(0), 1, 2, 3).MoveToOuterDisposeScope();
            },
            observation: new MetricTestGaussianObservation(1, 0, 1));
        using var data = torch.tensor(x, 2, 1, 2, 3);
        double expected = 0;
        for (int r = 0; r < 2; r++)
            for (int k = 0; k < 6; k++)
            {
                // Decoded element k of row r is 1.6 · x[r, k mod 2] − 0.2 (Repeat tiles the two latents).
                double reconstruction = Math.Clamp(1.6 * x[r * 6 + k % 2] - 0.2, 0, 1);
                expected += Math.Pow(reconstruction - x[r * 6 + k], 2);
            }
        expected /= 12;
        Assert.AreEqual(expected, ReconstructionError.Compute(model, data), 1e-6);
        Assert.AreEqual(expected, ReconstructionError.Compute(model, data, batchSize: 1), 1e-6, "batching does not change the mean");
        Assert.IsFalse(model.Training);
    }

    [TestMethod]
    public void PerfectReconstructionHasZeroError()
    {
        var model = MetricTestModel.IdentityEncoder(4, 0.1);
        using var data = torch.randn([7, 4]);
        Assert.AreEqual(0, ReconstructionError.Compute(model, data, batchSize: 3));
    }

    [TestMethod]
    public void RejectsMismatchedAndEmptyData()
    {
        var model = MetricTestModel.IdentityEncoder(4, 0.1);
        using var wrong = torch.randn([7, 5]);
        using var empty = torch.zeros([0, 4]);
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ReconstructionError.Compute(model, wrong)).Message, "expects [N, 4]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ReconstructionError.Compute(model, empty)).Message, "no samples");
    }
}
