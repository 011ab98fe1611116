using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Objectives;
using TorchSharp;
using static Microsoft.ML.Vae.Core.Tests.KernelsTestSupport;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class ObjectivesBetaTcTests
{
    private const int M = 3;
    private const int D = 2;
    private const long N = 10;

    private static readonly double[] Z = [0.4, -1.1, 1.3, 0.2, -0.6, 0.9];
    private static readonly double[] Mu = [0.1, -0.8, 1.0, 0.5, -0.2, 0.6];
    private static readonly double[] LogVar = [-0.3, 0.2, -1.0, 0.4, 0.1, -0.5];
    private static readonly double[] LogPz = [-2.1, -3.3, -1.7];

    private static double LogNormal(double x, double mu, double logVar) =>
        -0.5 * (Math.Log(2 * Math.PI) + logVar) - 0.5 * (x - mu) * (x - mu) / Math.Exp(logVar);

    private static double LogSumExp(IEnumerable<double> values)
    {
        var v = values.ToArray();
        double max = v.Max();
        return max + Math.Log(v.Sum(x => Math.Exp(x - max)));
    }

    /// <summary>The weights exactly as the spec states them, written independently of the library.</summary>
    private static double[,] SpecWeights()
    {
        double mPrime = M - 1;
        double strat = (N - mPrime) / (N * mPrime);
        var w = new double[M, M];
        for (int i = 0; i < M; i++) for (int k = 0; k < M; k++) w[i, k] = 1 / mPrime;
        for (int i = 0; i < M; i++) w[i, i] = 1.0 / N;
        for (int i = 0; i + 1 < M; i++) w[i, i + 1] = strat;
        w[M - 2, 0] = strat;
        return w;
    }

    [TestMethod]
    [DataRow(false)]
    [DataRow(true)]
    public void DecompositionMatchesExplicitLoops(bool repeatedWeightQuirk)
    {
        var w = SpecWeights();
        double mi = 0, tc = 0, dwkl = 0;
        for (int i = 0; i < M; i++)
        {
            double logQzx = 0;
            for (int j = 0; j < D; j++) logQzx += LogNormal(Z[i * D + j], Mu[i * D + j], LogVar[i * D + j]);
            // m[k, j] = log N(z_ij; μ_kj, σ²_kj) + log W_ik
            var m = new double[M, D];
            for (int k = 0; k < M; k++)
                for (int j = 0; j < D; j++)
                    m[k, j] = LogNormal(Z[i * D + j], Mu[k * D + j], LogVar[k * D + j]) + Math.Log(w[i, k]);
            // Intended: q(z_i) = Σ_k W_ik Π_j N(z_ij; μ_kj, σ²_kj). The quirk adds log W_ik once per dimension.
            double logQz = repeatedWeightQuirk
                ? LogSumExp(Enumerable.Range(0, M).Select(k => Enumerable.Range(0, D).Sum(j => m[k, j])))
                : LogSumExp(Enumerable.Range(0, M).Select(k => Math.Log(w[i, k]) + Enumerable.Range(0, D).Sum(j => LogNormal(Z[i * D + j], Mu[k * D + j], LogVar[k * D + j]))));
            double logProd = Enumerable.Range(0, D).Sum(j => LogSumExp(Enumerable.Range(0, M).Select(k => m[k, j])));
            mi += (logQzx - logQz) / M;
            tc += (logQz - logProd) / M;
            dwkl += (logProd - LogPz[i]) / M;
        }

        using var scope = torch.NewDisposeScope();
        var z = torch.tensor(Z, new long[] { M, D });
        var mu = torch.tensor(Mu, new long[] { M, D });
        var lv = torch.tensor(LogVar, new long[] { M, D });
        var lp = torch.tensor(LogPz);
        var (miT, tcT, dwklT) = BetaTcObjective.Decompose(z, mu, lv, lp, N, reproduceRepeatedWeightQuirk: repeatedWeightQuirk);
        Assert.AreEqual(mi, miT.ItemAsDouble(), 1e-10);
        Assert.AreEqual(tc, tcT.ItemAsDouble(), 1e-10);
        Assert.AreEqual(dwkl, dwklT.ItemAsDouble(), 1e-10);

        var x = torch.tensor(new double[] { 1, 2, 3 }, new long[] { M, 1 });
        var xHat = torch.tensor(new double[] { 1.5, 2, 2 }, new long[] { M, 1 });
        var terms = BetaTcObjective.Compute(xHat, x, 10, z, mu, lv, lp, N, alpha: 1, beta: 4, gamma: 15, reproduceRepeatedWeightQuirk: repeatedWeightQuirk);
        Assert.AreEqual(12.5, terms["reconstruction"].ItemAsDouble(), 1e-10);
        Assert.AreEqual(12.5 + mi + 4 * tc + 15 * dwkl, terms.Total.ItemAsDouble(), 1e-9);
    }

    [TestMethod]
    public void WeightLayouts()
    {
        var w = BetaTcObjective.ImportanceWeights(M, N);
        var expected = SpecWeights();
        for (int i = 0; i < M; i++)
            for (int k = 0; k < M; k++)
                Assert.AreEqual(expected[i, k], w[i, k], 1e-15, $"W[{i},{k}]");

        // The reference code's strided fill lands in columns 0 and 1.
        var quirk = BetaTcObjective.ImportanceWeights(4, 100, reproduceColumnQuirk: true);
        double strat = (100.0 - 3) / (100 * 3);
        for (int i = 0; i < 4; i++)
        {
            Assert.AreEqual(i == 2 ? strat : 0.01, quirk[i, 0], 1e-15);
            Assert.AreEqual(strat, quirk[i, 1], 1e-15);
            Assert.AreEqual(1.0 / 3, quirk[i, 3], 1e-15);
        }
    }

    [TestMethod]
    public void RejectsDegenerateSizes()
    {
        var ex = Assert.ThrowsExactly<ArgumentException>(() => BetaTcObjective.ImportanceWeights(2, 100));
        StringAssert.Contains(ex.Message, "at least 3");
        ex = Assert.ThrowsExactly<ArgumentException>(() => BetaTcObjective.ImportanceWeights(64, 10));
        StringAssert.Contains(ex.Message, "DatasetSize");
    }

    [TestMethod]
    public void GradientsFlowToPosteriorParameters()
    {
        using var scope = torch.NewDisposeScope();
        var mu = torch.tensor(Mu, new long[] { M, D }).requires_grad_();
        var lv = torch.tensor(LogVar, new long[] { M, D }).requires_grad_();
        var z = mu + (lv * 0.5).exp() * 0.3;
        var lp = (z.square() * -0.5).sum(1);
        var (mi, tc, dwkl) = BetaTcObjective.Decompose(z, mu, lv, lp, N);
        (mi + tc + dwkl).backward();
        Assert.IsTrue(mu.grad!.AllFinite());
        Assert.IsGreaterThan(0.0, lv.grad!.abs().sum().ItemAsDouble());
    }
}
