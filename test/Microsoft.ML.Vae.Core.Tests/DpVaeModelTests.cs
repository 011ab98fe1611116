using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Persistence;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class DpVaeModelTests
{
    [TestMethod]
    public void ConvolutionalModelShapes()
    {
        long baseline = LiveTensors.Count;
        torch.manual_seed(1);
        using (var model = new DpVae(DpVaePresets.Mnist(Regularizer.BetaTc, decoupledPrior: true)))
        using (torch.NewDisposeScope())
        {
            Assert.AreEqual(NetworkKind.DpConv, model.NetworkKind);
            Assert.IsInstanceOfType<DecoupledFlowPrior>(model.Prior);
            var x = torch.rand(4, 1, 28, 28);
            var output = model.Forward(x);
            CollectionAssert.AreEqual(new long[] { 4, 2 }, output.Z.shape);
            CollectionAssert.AreEqual(new long[] { 4, 1, 28, 28 }, output.Reconstruction.shape);
            var terms = model.Loss(x, step: 1);
            CollectionAssert.AreEqual(new[] { "reconstruction", "mi", "tc", "dwkl" }, terms.Terms.Select(t => t.Name).ToArray());
            using (torch.no_grad())
            {
                var samples = model.Sample(3);
                CollectionAssert.AreEqual(new long[] { 3, 1, 28, 28 }, samples.shape);
                var shown = model.Observation.ToData(samples * 10.0);
                Assert.IsLessThanOrEqualTo(1.0, shown.max().ItemAsDouble());
                Assert.IsGreaterThanOrEqualTo(0.0, shown.min().ItemAsDouble());
            }
            var ex = Assert.ThrowsExactly<ArgumentException>(() => model.Encode(torch.rand(4, 28, 28)));
            StringAssert.Contains(ex.Message, "[N, 1, 28, 28]");
        }
        Assert.AreEqual(baseline, LiveTensors.Count);
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
        torch.manual_seed(2);
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
        Assert.IsFalse(copy.HasCustomNetworks);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = torch.randn(5, 6);
        var (m1, v1) = model.Encode(x);
        var (m2, v2) = copy.Encode(x);
        CollectionAssert.AreEqual(m1.data<float>().ToArray(), m2.data<float>().ToArray());
        CollectionAssert.AreEqual(v1.data<float>().ToArray(), v2.data<float>().ToArray());
        var z0 = torch.randn(5, 3);
        CollectionAssert.AreEqual(model.GenerationPrior.FromGenerationSpace(z0).data<float>().ToArray(),
            copy.GenerationPrior.FromGenerationSpace(z0).data<float>().ToArray());
        Assert.IsTrue(ModelRegistry.Default.Kinds.Contains("dp-info"));
    }

    [TestMethod]
    public void ObservationModelIsGaussianWithVarianceFromTheWeight()
    {
        var obs = new GaussianObservationModel(mseWeight: 10, clampToUnitRange: false);
        Assert.AreEqual(0.05, obs.Variance, 1e-15);
        using var scope = torch.NewDisposeScope();
        double[] x = [0.2, 0.9, -0.4, 1.5, 0.0, 0.3];
        double[] xHat = [0.1, 1.0, 0.0, 1.2, -0.2, 0.3];
        var ll = obs.LogLikelihood(torch.tensor(x, [2, 3]), torch.tensor(xHat, [2, 3])).data<double>().ToArray();
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
        var raw = torch.tensor(new float[] { -0.5f, 2 }, [1, 2]);
        CollectionAssert.AreEqual(new float[] { -0.5f, 2 }, obs.ToData(raw).data<float>().ToArray());
        CollectionAssert.AreEqual(new float[] { 0, 1 }, new GaussianObservationModel(1, true).ToData(raw).data<float>().ToArray());
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
        torch.manual_seed(3);
        using var model = new DpVae(new DpVaeOptions
        {
            Regularizer = Regularizer.BetaTc, DecoupledPrior = true, SampleShape = [4], MlpHiddenSizes = [8], DatasetSize = 100,
        });
        using var scope = torch.NewDisposeScope();
        var z = torch.randn(6, 2);
        var (z0, logDet) = model.Flow!.ToGenerationSpace(z);
        var withDet = model.PriorLogDensityForTc(z, omitFlowLogDet: false);
        var withoutDet = model.PriorLogDensityForTc(z, omitFlowLogDet: true);
        CollectionAssert.AreEqual(logDet.data<float>().ToArray(), (withDet - withoutDet).data<float>().ToArray(), new FloatTolerance(1e-5f));
        Assert.IsGreaterThan(1e-4, logDet.abs().max().ItemAsDouble());
    }

    [TestMethod]
    public void InfoVaeMmdTrainsTheFlow()
    {
        torch.manual_seed(4);
        using var model = new DpVae(new DpVaeOptions { Regularizer = Regularizer.Info, DecoupledPrior = true, SampleShape = [4], MlpHiddenSizes = [8] });
        using var scope = torch.NewDisposeScope();
        var terms = model.Loss(torch.randn(16, 4), step: 1);
        terms["mmd"].backward();
        var flowGrad = model.Flow!.parameters().Sum(p => p.grad is { } g ? g.abs().sum().ItemAsDouble() : 0);
        Assert.IsGreaterThan(0.0, flowGrad);
    }

    [TestMethod]
    public void CustomNetworksAreCheckedUpFrontWithClearErrors()
    {
        var options = new DpVaeOptions { Regularizer = Regularizer.BetaTc, DecoupledPrior = true, LatentDim = 2, SampleShape = [2], DatasetSize = 100 };
        torch.manual_seed(11);
        long baseline = LiveTensors.Count;
        // The encoder must give 2·d = 4 features: the first d the mean, the last d the log-variance.
        using (var encoder = new UserEncoder(2, 8, 3))
        using (var decoder = UserDecoder(2, 2))
        {
            var ex = Assert.ThrowsExactly<ArgumentException>(() => new DpVae(options, encoder, decoder));
            StringAssert.Contains(ex.Message, "[N, 4]");
            StringAssert.Contains(ex.Message, "[2, 3]");
            Assert.IsTrue(encoder.training, "the probe restores the network's mode");
        }
        using (var encoder = new UserEncoder(2, 8, 4))
        using (var decoder = UserDecoder(2, 5))
        {
            var ex = Assert.ThrowsExactly<ArgumentException>(() => new DpVae(options, encoder, decoder));
            StringAssert.Contains(ex.Message, "reconstructions [N, 2]");
            StringAssert.Contains(ex.Message, "[2, 5]");
        }
        using (var encoder = new UserEncoder(3, 8, 4))
        using (var decoder = UserDecoder(2, 2))
        {
            // The encoder cannot even run on [N, 2] samples: TorchSharp's error is wrapped with what was probed.
            var ex = Assert.ThrowsExactly<ArgumentException>(() => new DpVae(options, encoder, decoder));
            StringAssert.Contains(ex.Message, "The encoder failed on a probe batch [2, 2]");
        }
        Assert.AreEqual(baseline, LiveTensors.Count, "the probes leave no tensors behind");

        // Options that cannot be built from options alone say where the networks go.
        using (var model = new DpVae(options, new UserEncoder(2, 8, 4), UserDecoder(2, 2)))
        {
            Assert.IsTrue(model.HasCustomNetworks);
            Assert.IsTrue(model.Options.CustomNetworks);
            var ex = Assert.ThrowsExactly<ArgumentException>(() => new DpVae(model.Options));
            StringAssert.Contains(ex.Message, "DpVae(options, encoder, decoder)");
        }
        // Samples of a shape no built-in network takes are fine with custom networks.
        var images = new DpVaeOptions { LatentDim = 2, SampleShape = [1, 3, 3] };
        using (var model = new DpVae(images, nn.Sequential(nn.Flatten(), nn.Linear(9, 4)), nn.Sequential(nn.Linear(2, 9), nn.Unflatten(1, [1, 3, 3]))))
        using (torch.NewDisposeScope())
        {
            var output = model.Forward(torch.rand(5, 1, 3, 3));
            CollectionAssert.AreEqual(new long[] { 5, 1, 3, 3 }, output.Reconstruction.shape);
        }
    }

    [TestMethod]
    public void CustomNetworkModelsSaveAndLoadWithTheSameNetworksSupplied()
    {
        var options = new DpVaeOptions { Regularizer = Regularizer.BetaTc, DecoupledPrior = true, LatentDim = 2, SampleShape = [2], FlowHidden = 8, DatasetSize = 100, Gamma = 7 };
        torch.manual_seed(12);
        using var model = new DpVae(options, new UserEncoder(2, 8, 4), UserDecoder(2, 2));
        var names = model.StateDict().Keys.ToList();
        CollectionAssert.IsSubsetOf(new[] { "encoder.body.hidden.weight", "encoder.body.output.bias", "decoder.0.weight", "decoder.2.bias" }, names);
        Assert.IsTrue(names.Any(n => n.StartsWith("flow.", StringComparison.Ordinal)), "the decoupled prior's flow is saved with the networks");
        Assert.AreEqual(names.Count, names.Distinct().Count());
        var path = Path.Combine(Path.GetTempPath(), $"custom-dpvae-{Guid.NewGuid():N}.zip");
        try
        {
            ModelStore.Save(model, path);
            // The file cannot rebuild the networks by itself, and says how to load it.
            var ex = Assert.ThrowsExactly<InvalidDataException>(() => ModelStore.Load(path));
            StringAssert.Contains(ex.Message, "custom encoder and decoder");
            StringAssert.Contains(ex.Message, "DpVae.Load(path, encoder, decoder)");

            torch.manual_seed(13);   // fresh networks with other weights: the file's replace them
            using var loaded = DpVae.Load(path, new UserEncoder(2, 8, 4), UserDecoder(2, 2));
            Assert.AreEqual("dp-beta-tc", loaded.Kind);
            Assert.AreEqual(7, loaded.Options.Gamma);
            Assert.IsTrue(loaded.HasCustomNetworks);
            Assert.IsFalse(loaded.training, "loaded models are in evaluation mode");
            using (var scope = torch.NewDisposeScope())
            using (torch.no_grad())
            {
                var x = torch.randn(6, 2);
                CollectionAssert.AreEqual(model.Encode(x).Mean.data<float>().ToArray(), loaded.Encode(x).Mean.data<float>().ToArray());
                var z = torch.randn(6, 2);
                CollectionAssert.AreEqual(model.Decode(z).data<float>().ToArray(), loaded.Decode(z).data<float>().ToArray());
            }

            // Networks of another architecture are refused with the weights that do not fit.
            ex = Assert.ThrowsExactly<InvalidDataException>(() => DpVae.Load(path, new UserEncoder(2, 16, 4), UserDecoder(2, 2)));
            StringAssert.Contains(ex.Message, "encoder.body.hidden.weight");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A user's encoder written directly against TorchSharp: x → tanh(W₁x + b₁) → W₂h + b₂.</summary>
    internal sealed class UserEncoder : nn.Module<Tensor, Tensor>
    {
        // Registered under their field names, as TorchSharp's reflection-based registration would name them.
        private readonly Linear hidden;
        private readonly Linear output;

        public UserEncoder(int inputs, int width, int outputs) : base(nameof(UserEncoder))
        {
            hidden = nn.Linear(inputs, width);
            output = nn.Linear(width, outputs);
            register_module(nameof(hidden), hidden);
            register_module(nameof(output), output);
        }

        public override Tensor forward(Tensor x)
        {
            using var h = hidden.forward(x).tanh();
            return output.forward(h);
        }
    }

    /// <summary>A user's decoder made of TorchSharp's stock layers.</summary>
    internal static Sequential UserDecoder(int latentDim, int outputs) =>
        nn.Sequential(nn.Linear(latentDim, 16), nn.ReLU(), nn.Linear(16, outputs));

    private sealed class FloatTolerance(float tolerance) : System.Collections.IComparer
    {
        public int Compare(object? a, object? b) => Math.Abs((float)a! - (float)b!) <= tolerance ? 0 : 1;
    }
}
