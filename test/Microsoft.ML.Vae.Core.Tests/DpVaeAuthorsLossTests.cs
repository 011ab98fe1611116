using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Objectives;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// dp-β-TCVAE's loss with and without <see cref="DpVaeOptions.AuthorsExactLoss"/>, against a brute-force
/// computation in loops over doubles that builds the importance weights by replaying the reference code's
/// strided fill on a flat array.
/// </summary>
[TestClass]
public sealed class DpVaeAuthorsLossTests : LeakCheckedTest
{
    private const int Batch = 5;
    private const long DatasetSize = 50;

    [TestMethod]
    [DataRow(true)]
    [DataRow(false)]
    public void LossMatchesBruteForce(bool authors)
    {
        var options = new DpVaeOptions
        {
            Regularizer = Regularizer.BetaTc,
            DecoupledPrior = true,
            LatentDim = 2,
            SampleShape = [3],
            MlpHiddenSizes = [8],
            FlowHidden = 8,
            MseWeight = 2,
            BatchSize = Batch,
            DatasetSize = DatasetSize,
            AuthorsExactLoss = authors,
        };
        Assert.AreEqual(authors, options.OmitFlowLogDetInTc && options.ReproduceMssWeightQuirk && options.ReproduceRepeatedWeightQuirk);
        torch.manual_seed(41);
        using var model = new DpVae(options);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([Batch, 3]);
        var output = model.Forward(x);
        var terms = DpVaeLoss.Compute(model, options, output, x, step: 1);

        double[] z = Flat(output.Z), mu = Flat(output.Mean), lv = Flat(output.LogVar);
        var (z0Tensor, logDetTensor) = model.Flow!.ToGenerationSpace(output.Z);
        double[] z0 = Flat(z0Tensor), logDet = Flat(logDetTensor);
        double sse = Flat((output.Reconstruction - x).square()).Sum();
        double expected = BruteForce(z, mu, lv, z0, logDet, authors, out var parts) + options.MseWeight * sse;

        Assert.AreEqual(parts.Mi, terms["mi"].ToDouble(), 1e-3 * (1 + Math.Abs(parts.Mi)), "MI");
        Assert.AreEqual(parts.Tc, terms["tc"].ToDouble(), 1e-3 * (1 + Math.Abs(parts.Tc)), "TC");
        Assert.AreEqual(parts.Dwkl, terms["dwkl"].ToDouble(), 1e-3 * (1 + Math.Abs(parts.Dwkl)), "DWKL");
        Assert.AreEqual(expected, terms.Total.ToDouble(), 1e-3 * (1 + Math.Abs(expected)), "total");
    }

    [TestMethod]
    public void TheAuthorsLossDiffersFromTheIntendedOne()
    {
        torch.manual_seed(42);
        var options = new DpVaeOptions
        {
            Regularizer = Regularizer.BetaTc, DecoupledPrior = true, LatentDim = 2, SampleShape = [3], MlpHiddenSizes = [8],
            FlowHidden = 8, BatchSize = Batch, DatasetSize = DatasetSize,
        };
        using var model = new DpVae(options);
        using var scope = torch.NewDisposeScope();
        var x = torch.randn([Batch, 3]);
        var output = model.Forward(x);
        double intended = DpVaeLoss.Compute(model, options, output, x, 1).Total.ToDouble();
        var authors = options.Clone();
        authors.AuthorsExactLoss = true;
        double exact = DpVaeLoss.Compute(model, authors, output, x, 1).Total.ToDouble();
        Assert.AreNotEqual(intended, exact, 1e-3 * Math.Abs(intended));
        authors.AuthorsExactLoss = false;
        Assert.IsFalse(authors.OmitFlowLogDetInTc || authors.ReproduceMssWeightQuirk || authors.ReproduceRepeatedWeightQuirk);
    }

    /// <summary>α·MI + β·TC + γ·DWKL with the released dp-β-TCVAE weights (α 1, β 4, γ 150).</summary>
    private static double BruteForce(double[] z, double[] mu, double[] lv, double[] z0, double[] logDet, bool authors,
        out (double Mi, double Tc, double Dwkl) parts)
    {
        const int d = 2;
        int b = Batch, m = Batch - 1;
        double n = DatasetSize, strat = (n - m) / (n * m);
        var w = new double[b * b];
        Array.Fill(w, 1.0 / m);
        if (authors)
        {
            // The reference code: W.view(-1)[::M+1] = 1/N; W.view(-1)[1::M+1] = strat; W[M-1, 0] = strat.
            for (int idx = 0; idx < b * b; idx += m + 1) w[idx] = 1.0 / n;
            for (int idx = 1; idx < b * b; idx += m + 1) w[idx] = strat;
        }
        else
        {
            for (int i = 0; i < b; i++) w[i * b + i] = 1.0 / n;
            for (int i = 0; i + 1 < b; i++) w[i * b + i + 1] = strat;
        }
        w[(m - 1) * b + 0] = strat;

        double LogN(int i, int k, int j) =>
            -0.5 * (Math.Log(2 * Math.PI) + lv[k * d + j] + Math.Pow(z[i * d + j] - mu[k * d + j], 2) / Math.Exp(lv[k * d + j]));
        static double Lse(IEnumerable<double> v) { var a = v.ToArray(); double mx = a.Max(); return mx + Math.Log(a.Sum(t => Math.Exp(t - mx))); }

        double mi = 0, tc = 0, dwkl = 0;
        for (int i = 0; i < b; i++)
        {
            double logQzx = Enumerable.Range(0, d).Sum(j => LogN(i, i, j));
            double logQz = authors
                ? Lse(Enumerable.Range(0, b).Select(k => Enumerable.Range(0, d).Sum(j => LogN(i, k, j) + Math.Log(w[i * b + k]))))
                : Lse(Enumerable.Range(0, b).Select(k => Enumerable.Range(0, d).Sum(j => LogN(i, k, j)) + Math.Log(w[i * b + k])));
            double logProd = Enumerable.Range(0, d).Sum(j => Lse(Enumerable.Range(0, b).Select(k => LogN(i, k, j) + Math.Log(w[i * b + k]))));
            double logPz = Enumerable.Range(0, d).Sum(j => -0.5 * (Math.Log(2 * Math.PI) + z0[i * d + j] * z0[i * d + j]))
                           + (authors ? 0 : logDet[i]);
            mi += (logQzx - logQz) / b;
            tc += (logQz - logProd) / b;
            dwkl += (logProd - logPz) / b;
        }
        parts = (mi, tc, dwkl);
        return 1 * mi + 4 * tc + 150 * dwkl;
    }

    private static double[] Flat(Tensor t)
    {
        using var c = t.detach().to(ScalarType.Float64).contiguous();
        return c.data<double>().ToArray();
    }
}
