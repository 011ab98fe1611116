using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Objectives;
using TorchSharp;
using static Microsoft.ML.Vae.Core.Tests.KernelsTestSupport;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class GamixObjectiveTests
{
    // A 3×2 posterior: three samples, two latent dimensions.
    private static readonly double[] Means = [0.5, -1.2, 1.0, 0.3, -0.4, 2.0];
    private static readonly double[] LogVars = [0.2, -0.7, -1.5, 0.4, 0.9, -0.1];

    private static double Sigmoid(double v) => 1 / (1 + Math.Exp(-v));

    [TestMethod]
    public void MixtureKlMatchesTheMomentFormula()
    {
        double expected = 0;
        for (int j = 0; j < 2; j++)
        {
            double m = (Means[j] + Means[2 + j] + Means[4 + j]) / 3;
            double v = (Math.Pow(Means[j] - m, 2) + Math.Pow(Means[2 + j] - m, 2) + Math.Pow(Means[4 + j] - m, 2)) / 3; // population variance
            expected += 0.5 * (m * m + v - Math.Log(v) - 1);
        }
        using var scope = torch.NewDisposeScope();
        Assert.AreEqual(expected, GamixObjective.MixtureKl(torch.tensor(Means, new long[] { 3, 2 })).ItemAsDouble(), 1e-12);
    }

    [TestMethod]
    public void MixtureKlIsZeroForMeansWithZeroMeanAndUnitVariance()
    {
        double a = Math.Sqrt(1.5);
        // Each column has mean 0 and population variance (1.5 + 1.5 + 0)/3 = 1.
        double[] means = [a, 0, -a, a, 0, -a];
        using var scope = torch.NewDisposeScope();
        Assert.AreEqual(0, GamixObjective.MixtureKl(torch.tensor(means, new long[] { 3, 2 })).ItemAsDouble(), 1e-12);
        // Shifting the batch mean makes it positive: ½·Σ_j M_j² with M = (1, 0).
        double[] shifted = [a + 1, 0, 1, a, 1 - a, -a];
        Assert.AreEqual(0.5, GamixObjective.MixtureKl(torch.tensor(shifted, new long[] { 3, 2 })).ItemAsDouble(), 1e-12);
    }

    [TestMethod]
    public void MixtureKlNeedsTwoSamples()
    {
        using var scope = torch.NewDisposeScope();
        var ex = Assert.ThrowsExactly<ArgumentException>(() => GamixObjective.MixtureKl(torch.zeros(1, 4)));
        StringAssert.Contains(ex.Message, "at least 2");
        Assert.ThrowsExactly<ArgumentException>(() => GamixObjective.MixtureKl(torch.zeros(4)));
    }

    [TestMethod]
    public void VarianceRegularizerMatchesTheFormulaAndVanishesAtUnitVariance()
    {
        double expected = 0;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++)
            {
                double lv = LogVars[2 * i + j];
                expected += 0.1 * (Math.Exp(lv) - lv - 1);
            }
        expected /= 3; // mean over the batch of the per-sample sums
        using var scope = torch.NewDisposeScope();
        Assert.AreEqual(expected, GamixObjective.VarianceRegularizer(torch.tensor(LogVars, new long[] { 3, 2 }), 0.1).ItemAsDouble(), 1e-12);
        Assert.AreEqual(0, GamixObjective.VarianceRegularizer(torch.zeros(new long[] { 3, 2 }, ScalarType.Float64), 0.1).ItemAsDouble(), 1e-15);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => GamixObjective.VarianceRegularizer(torch.tensor(LogVars, new long[] { 3, 2 }), -1));
    }

    [TestMethod]
    public void ReconstructionIsTheWeightedMeanAbsoluteError()
    {
        double[] target = [-1, 0.5, 1, -0.25];
        double[] reconstruction = [-0.5, 0.5, 0.2, 0.25];
        double expected = 5000 * (0.5 + 0 + 0.8 + 0.5) / 4;
        using var scope = torch.NewDisposeScope();
        var value = GamixObjective.Reconstruction(torch.tensor(reconstruction, new long[] { 2, 1, 1, 2 }), torch.tensor(target, new long[] { 2, 1, 1, 2 }), 5000);
        Assert.AreEqual(expected, value.ItemAsDouble(), 1e-9);
        Assert.ThrowsExactly<ArgumentException>(() => GamixObjective.Reconstruction(torch.zeros(2, 2), torch.zeros(2, 1, 1, 2), 1));
    }

    [TestMethod]
    public void AdversarialTermsAreWeightedBinaryCrossEntropies()
    {
        double[] real = [2.0, -0.5, 0.1, 1.5];
        double[] fake = [-1.0, 0.3, -2.0, 0.0];
        double generator = 0, discriminator = 0;
        for (int i = 0; i < 4; i++)
        {
            generator -= Math.Log(Sigmoid(fake[i]));
            discriminator -= Math.Log(Sigmoid(real[i])) + Math.Log(1 - Sigmoid(fake[i]));
        }
        generator *= 100.0 / 4;
        discriminator *= 100.0 / 4;
        using var scope = torch.NewDisposeScope();
        var realLogits = torch.tensor(real, new long[] { 1, 1, 2, 2 });
        var fakeLogits = torch.tensor(fake, new long[] { 1, 1, 2, 2 });
        Assert.AreEqual(generator, GamixObjective.GeneratorAdversarial(fakeLogits, 100).ItemAsDouble(), 1e-9);
        Assert.AreEqual(discriminator, GamixObjective.DiscriminatorLoss(realLogits, fakeLogits, 100).ItemAsDouble(), 1e-9);
    }

    [TestMethod]
    public void GeneratorTotalIsTheSumOfItsWeightedTerms()
    {
        using var scope = torch.NewDisposeScope();
        var mean = torch.tensor(Means, new long[] { 3, 2 });
        var logVar = torch.tensor(LogVars, new long[] { 3, 2 });
        var target = torch.zeros(new long[] { 3, 1, 2, 2 }, ScalarType.Float64);
        var reconstruction = torch.full(new long[] { 3, 1, 2, 2 }, 0.5, ScalarType.Float64);
        var fake = torch.zeros(new long[] { 3, 1, 1, 1 }, ScalarType.Float64);
        var terms = GamixObjective.Generator(reconstruction, target, mean, logVar, 5000, 2, 0.1, fake, 100);
        CollectionAssert.AreEqual(new[] { "reconstruction", "mixture_kl", "variance", "adversarial" }, terms.Terms.Select(t => t.Name).ToArray());
        Assert.AreEqual(2500, terms["reconstruction"].ItemAsDouble(), 1e-9);
        Assert.AreEqual(2 * GamixObjective.MixtureKl(mean).ItemAsDouble(), terms["mixture_kl"].ItemAsDouble(), 1e-12);
        Assert.AreEqual(100 * Math.Log(2), terms["adversarial"].ItemAsDouble(), 1e-9);
        Assert.AreEqual(terms.Terms.Sum(t => t.Value.ItemAsDouble()), terms.Total.ItemAsDouble(), 1e-9);

        var plain = GamixObjective.Generator(reconstruction, target, mean, logVar, 5000, 1, 0.1);
        Assert.IsFalse(plain.Contains("adversarial"));
        Assert.ThrowsExactly<ArgumentException>(() => GamixObjective.Generator(reconstruction, target, mean, logVar.narrow(1, 0, 1), 5000, 1, 0.1));
    }

    [TestMethod]
    public void BaselineUsesTheMeanOverTheBatchOfTheStandardKl()
    {
        double kl = 0;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 2; j++)
            {
                double m = Means[2 * i + j], lv = LogVars[2 * i + j];
                kl += 0.5 * (m * m + Math.Exp(lv) - lv - 1);
            }
        kl /= 3;
        using var scope = torch.NewDisposeScope();
        var target = torch.zeros(new long[] { 3, 1, 1, 2 }, ScalarType.Float64);
        var terms = GamixObjective.Baseline(target + 0.1, target, torch.tensor(Means, new long[] { 3, 2 }), torch.tensor(LogVars, new long[] { 3, 2 }), 5000, 1);
        CollectionAssert.AreEqual(new[] { "reconstruction", "kl" }, terms.Terms.Select(t => t.Name).ToArray());
        Assert.AreEqual(kl, terms["kl"].ItemAsDouble(), 1e-12);
        Assert.AreEqual(500 + kl, terms.Total.ItemAsDouble(), 1e-9);
    }
}
