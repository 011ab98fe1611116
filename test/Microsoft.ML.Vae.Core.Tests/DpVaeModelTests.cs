using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Tests;

using Torch = Microsoft.ML.Vae.Torch.Torch;

[TestClass]
public sealed class DpVaeModelTests
{
    [TestMethod]
    public void ConvolutionalModelShapes()
    {
        long baseline = Tensor.LiveCount;
        Torch.ManualSeed(1);
        using (var model = new DpVae(DpVaePresets.Mnist(Regularizer.BetaTc, decoupledPrior: true)))
        using (Torch.NewDisposeScope())
        {
            Assert.AreEqual(NetworkKind.DpConv, model.NetworkKind);
            Assert.IsInstanceOfType<DecoupledFlowPrior>(model.Prior);
            var x = Torch.Rand([4, 1, 28, 28]);
            var output = model.Forward(x);
            CollectionAssert.AreEqual(new long[] { 4, 2 }, output.Z.Shape);
            CollectionAssert.AreEqual(new long[] { 4, 1, 28, 28 }, output.Reconstruction.Shape);
            var terms = model.Loss(x, step: 1);
            CollectionAssert.AreEqual(new[] { "reconstruction", "mi", "tc", "dwkl" }, terms.Terms.Select(t => t.Name).ToArray());
            using (Torch.NoGrad())
            {
                var samples = model.Sample(3);
                CollectionAssert.AreEqual(new long[] { 3, 1, 28, 28 }, samples.Shape);
                var shown = model.Observation.ToData(samples * 10.0);
                Assert.IsLessThanOrEqualTo(1.0, shown.Max().Item());
                Assert.IsGreaterThanOrEqualTo(0.0, shown.Min().Item());
            }
            var ex = Assert.ThrowsExactly<ArgumentException>(() => model.Encode(Torch.Rand([4, 28, 28])));
            StringAssert.Contains(ex.Message, "[N, 1, 28, 28]");
        }
        Assert.AreEqual(baseline, Tensor.LiveCount);
    }

    [TestMethod]
    public void FactorVaeUsesItsOwnConvolutionalPair()
    {
        using var model = new DpVae(DpVaePresets.Mnist(Regularizer.Factor, decoupledPrior: false));
        Assert.AreEqual(NetworkKind.FactorConv, model.NetworkKind);
        Assert.IsInstanceOfType<StandardNormalPrior>(model.Prior);
        Assert.AreEqual("factor", model.Kind);
    }

    [TestMethod]
    public void SaveAndLoadRoundTrip()
    {
        Torch.ManualSeed(2);
        var options = new DpVaeOptions
        {
            Regularizer = Regularizer.BetaTc, DecoupledPrior = true, LatentDim = 3, SampleShape = [6],
            MlpHiddenSizes = [16], FlowHidden = 8, DatasetSize = 1000, Gamma = 42, OmitFlowLogDetInTc = true,
        };
        using var model = new DpVae(options);
        using var stream = new MemoryStream();
        ModelStore.Save(model, stream);
        stream.Position = 0;
        using var loaded = ModelStore.Load(stream);
        var copy = (DpVae)loaded;
        Assert.AreEqual("dp-beta-tc", copy.Kind);
        Assert.AreEqual(42, copy.Options.Gamma);
        Assert.IsTrue(copy.Options.OmitFlowLogDetInTc);
        Assert.IsNull(copy.Options.Beta);
        using var scope = Torch.NewDisposeScope();
        using var noGrad = Torch.NoGrad();
        var x = Torch.Randn([5, 6]);
        var (m1, v1) = model.Encode(x);
        var (m2, v2) = copy.Encode(x);
        CollectionAssert.AreEqual(m1.ToArray<float>(), m2.ToArray<float>());
        CollectionAssert.AreEqual(v1.ToArray<float>(), v2.ToArray<float>());
        var z0 = Torch.Randn([5, 3]);
        CollectionAssert.AreEqual(model.GenerationPrior.FromGenerationSpace(z0).ToArray<float>(), copy.GenerationPrior.FromGenerationSpace(z0).ToArray<float>());
        Assert.IsTrue(ModelRegistry.Default.Kinds.Contains("dp-info"));
    }

    [TestMethod]
    public void ObservationModelIsGaussianWithVarianceFromTheWeight()
    {
        var obs = new GaussianObservationModel(mseWeight: 10, clampToUnitRange: false);
        Assert.AreEqual(0.05, obs.Variance, 1e-15);
        using var scope = Torch.NewDisposeScope();
        double[] x = [0.2, 0.9, -0.4, 1.5, 0.0, 0.3];
        double[] xHat = [0.1, 1.0, 0.0, 1.2, -0.2, 0.3];
        var ll = obs.LogLikelihood(Tensor.From(x, 2, 3), Tensor.From(xHat, 2, 3)).ToArray<double>();
        for (int s = 0; s < 2; s++)
        {
            double expected = 0, sse = 0;
            for (int j = 0; j < 3; j++)
            {
                double r = x[s * 3 + j] - xHat[s * 3 + j];
                expected += -0.5 * Math.Log(2 * Math.PI * 0.05) - r * r / (2 * 0.05);
                sse += r * r;
            }
            Assert.AreEqual(expected, ll[s], 1e-10);
            Assert.AreEqual(-10 * sse - 1.5 * Math.Log(Math.PI / 10), ll[s], 1e-10);
        }
        var raw = Tensor.From(new float[] { -0.5f, 2 }, 1, 2);
        CollectionAssert.AreEqual(new float[] { -0.5f, 2 }, obs.ToData(raw).ToArray<float>());
        CollectionAssert.AreEqual(new float[] { 0, 1 }, new GaussianObservationModel(1, true).ToData(raw).ToArray<float>());
    }

    [TestMethod]
    [DataRow("vae", 1.0, 1.0, 0.0, 0.0, 100, 1e-4, 100_000)]
    [DataRow("dp-vae", 1.0, 1.0, 0.0, 0.0, 100, 1e-4, 100_000)]
    [DataRow("beta-h", 1.0, 5.0, 0.0, 0.0, 24, 1e-4, 100_000)]
    [DataRow("dp-beta-h", 10.0, 5.0, 0.0, 0.0, 100, 1e-3, 100_000)]
    [DataRow("beta-b", 100.0, 0.0, 15.0, 0.0, 24, 1e-3, 100_000)]
    [DataRow("dp-beta-b", 100.0, 0.0, 15.0, 0.0, 24, 1e-3, 100_000)]
    [DataRow("beta-tc", 10.0, 4.0, 15.0, 1.0, 100, 1e-4, 100_000)]
    [DataRow("dp-beta-tc", 1.0, 4.0, 150.0, 1.0, 100, 1e-4, 200_000)]
    [DataRow("factor", 1.0, 0.0, 1000.0, 0.0, 24, 1e-4, 100_000)]
    [DataRow("dp-factor", 1.0, 0.0, 1000.0, 0.0, 24, 1e-4, 100_000)]
    [DataRow("info", 10.0, 0.0, 0.0, 0.0, 24, 1e-4, 100_000)]
    [DataRow("dp-info", 10.0, 0.0, 0.0, 0.0, 24, 1e-3, 100_000)]
    public void PresetsReproduceTheReleasedTable(string kind, double mse, double beta, double gamma, double alpha, int batch, double lr, long iterations)
    {
        var (regularizer, dp) = DpVaeKinds.Parse(kind);
        var o = DpVaePresets.Mnist(regularizer, dp);
        Assert.AreEqual(kind, o.Kind);
        Assert.AreEqual(mse, o.MseWeight);
        if (regularizer is Regularizer.Vae or Regularizer.BetaH or Regularizer.BetaTc) Assert.AreEqual(beta, o.ResolveBeta());
        if (regularizer is Regularizer.BetaB or Regularizer.BetaTc or Regularizer.Factor) Assert.AreEqual(gamma, o.ResolveGamma());
        if (regularizer is Regularizer.BetaTc or Regularizer.Info) Assert.AreEqual(alpha, o.ResolveAlpha());
        Assert.AreEqual(batch, o.BatchSize);
        Assert.AreEqual(lr, o.LearningRate);
        Assert.AreEqual(iterations, o.Iterations);
        Assert.AreEqual(2, o.LatentDim);
        Assert.AreEqual(1000, o.Lambda);
        Assert.AreEqual(25, o.CapacityMax);
        Assert.AreEqual(100_000, o.CapacityStopIteration);
        Assert.AreEqual(1e-4, o.DiscriminatorLearningRate);
        // Unset weights resolve to the same released values.
        var plain = new DpVaeOptions { Regularizer = regularizer, DecoupledPrior = dp };
        Assert.AreEqual(o.ResolveBeta(), plain.ResolveBeta());
        Assert.AreEqual(o.ResolveGamma(), plain.ResolveGamma());
        Assert.AreEqual(o.ResolveAlpha(), plain.ResolveAlpha());
    }

    [TestMethod]
    public void KindsParseAndFormat()
    {
        Assert.HasCount(12, DpVaeKinds.All);
        foreach (var kind in DpVaeKinds.All)
        {
            var (r, dp) = DpVaeKinds.Parse(kind);
            Assert.AreEqual(kind, DpVaeKinds.Format(r, dp));
        }
        Assert.AreEqual((Regularizer.BetaTc, true), DpVaeKinds.Parse("DP-Beta-TC"));
        Assert.IsFalse(DpVaeKinds.TryParse("soft-intro", out _, out _));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => DpVaeKinds.Parse("dp-gamix"));
        StringAssert.Contains(ex.Message, "dp-beta-tc");
    }

    [TestMethod]
    public void InvalidOptionsAreRejected()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new DpVae(new DpVaeOptions { LatentDim = 0 }));
        Assert.ThrowsExactly<ArgumentException>(() => new DpVae(new DpVaeOptions { MseWeight = -1 }));
        Assert.ThrowsExactly<ArgumentException>(() => new DpVae(new DpVaeOptions { Beta = double.NaN }));
        var ex = Assert.ThrowsExactly<ArgumentException>(() => new DpVae(new DpVaeOptions { SampleShape = [3, 32, 32] }));
        StringAssert.Contains(ex.Message, "[3, 32, 32]");
        Assert.ThrowsExactly<ArgumentException>(() => new DpVae(new DpVaeOptions { SampleShape = [4], Network = NetworkKind.DpConv }));
    }

    [TestMethod]
    public void TcPriorDensityIncludesTheLogDetUnlessAskedNotTo()
    {
        Torch.ManualSeed(3);
        using var model = new DpVae(new DpVaeOptions
        {
            Regularizer = Regularizer.BetaTc, DecoupledPrior = true, SampleShape = [4], MlpHiddenSizes = [8], DatasetSize = 100,
        });
        using var scope = Torch.NewDisposeScope();
        var z = Torch.Randn([6, 2]);
        var (z0, logDet) = model.Flow!.ToGenerationSpace(z);
        var withDet = model.PriorLogDensityForTc(z, omitFlowLogDet: false);
        var withoutDet = model.PriorLogDensityForTc(z, omitFlowLogDet: true);
        CollectionAssert.AreEqual(logDet.ToArray<float>(), (withDet - withoutDet).ToArray<float>(), new FloatTolerance(1e-5f));
        Assert.IsGreaterThan(1e-4, logDet.Abs().Max().Item());
    }

    [TestMethod]
    public void InfoVaeMmdTrainsTheFlow()
    {
        Torch.ManualSeed(4);
        using var model = new DpVae(new DpVaeOptions { Regularizer = Regularizer.Info, DecoupledPrior = true, SampleShape = [4], MlpHiddenSizes = [8] });
        using var scope = Torch.NewDisposeScope();
        var terms = model.Loss(Torch.Randn([16, 4]), step: 1);
        terms["mmd"].Backward();
        var flowGrad = model.Flow!.Parameters().Sum(p => p.Grad is { } g ? g.Abs().Sum().Item() : 0);
        Assert.IsGreaterThan(0.0, flowGrad);
    }

    private sealed class FloatTolerance(float tolerance) : System.Collections.IComparer
    {
        public int Compare(object? a, object? b) => Math.Abs((float)a! - (float)b!) <= tolerance ? 0 : 1;
    }
}
