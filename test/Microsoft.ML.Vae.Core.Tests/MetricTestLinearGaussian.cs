using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>
/// The linear-Gaussian latent model z ~ N(0, I_d), x = W z + b + σ ε, whose marginal
/// p(x) = N(x; b, W Wᵀ + σ² I) and posterior p(z|x) = N(Σ Wᵀ(x − b)/σ², Σ), Σ = (I + WᵀW/σ²)⁻¹,
/// are known exactly. Its encoder uses the exact posterior mean and the marginal posterior
/// variances diag Σ times an inflation factor, so it is exact when W has orthogonal columns and
/// inflation is 1.
/// </summary>
internal sealed class MetricTestLinearGaussian
{
    private readonly double[,] _w;   // [D, d]
    private readonly double[] _b;    // [D]
    private readonly double _sigma;
    private readonly double[,] _posteriorCovariance;   // Σ [d, d]

    public MetricTestLinearGaussian(double[,] w, double[] b, double sigma)
    {
        _w = w;
        _b = b;
        _sigma = sigma;
        int d = LatentDim;
        var precision = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double s = i == j ? 1 : 0;
                for (int k = 0; k < DataDim; k++) s += w[k, i] * w[k, j] / (sigma * sigma);
                precision[i, j] = s;
            }
        _posteriorCovariance = Inverse(precision);
    }

    public int DataDim => _w.GetLength(0);
    public int LatentDim => _w.GetLength(1);

    /// <summary>The model as an IVaeModel with the given posterior-variance inflation.</summary>
    public MetricTestModel CreateModel(double varianceInflation = 1)
    {
        int d = LatentDim, D = DataDim;
        // Posterior mean = (x − b) Aᵀ with A = Σ Wᵀ / σ² [d, D].
        var aT = new float[D * d];
        for (int k = 0; k < D; k++)
            for (int i = 0; i < d; i++)
            {
                double s = 0;
                for (int j = 0; j < d; j++) s += _posteriorCovariance[i, j] * _w[k, j];
                aT[k * d + i] = (float)(s / (_sigma * _sigma));
            }
        var logVar = new float[d];
        for (int i = 0; i < d; i++) logVar[i] = (float)Math.Log(varianceInflation * _posteriorCovariance[i, i]);
        var wT = new float[d * D];
        for (int k = 0; k < D; k++)
            for (int i = 0; i < d; i++) wT[i * D + k] = (float)_w[k, i];
        var b = _b.Select(v => (float)v).ToArray();

        return new MetricTestModel(d, [D],
            x =>
            {
                using var scope = torch.NewDisposeScope();
                var mean = torch.matmul(x - torch.tensor(b, 1, D), torch.tensor(aT, D, d));
                var lv = torch.zeros_like(mean) + torch.tensor(logVar, 1, d);
                return (mean.MoveToOuterDisposeScope(), lv.MoveToOuterDisposeScope());
            },
            z =>
            {
                using var scope = torch.NewDisposeScope();
                return (torch.matmul(z, torch.tensor(wT, d, D)) + torch.tensor(b, 1, D)).MoveToOuterDisposeScope();
            },
            observation: new MetricTestGaussianObservation(_sigma));
    }

    /// <summary>n samples of x, row-major [n, D], from a fixed System.Random stream.</summary>
    public float[] Sample(int n, int seed)
    {
        var random = new Random(seed);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        int d = LatentDim, D = DataDim;
        var x = new float[n * D];
        var z = new double[d];
        for (int r = 0; r < n; r++)
        {
            for (int i = 0; i < d; i++) z[i] = Gaussian();
            for (int k = 0; k < D; k++)
            {
                double s = _b[k] + _sigma * Gaussian();
                for (int i = 0; i < d; i++) s += _w[k, i] * z[i];
                x[r * D + k] = (float)s;
            }
        }
        return x;
    }

    /// <summary>Exact log p(x) = log N(x; b, W Wᵀ + σ² I) per row of row-major x [n, D], averaged.</summary>
    public double MeanExactLogLikelihood(float[] x)
    {
        int D = DataDim, d = LatentDim, n = x.Length / D;
        var c = new double[D, D];
        for (int i = 0; i < D; i++)
            for (int j = 0; j < D; j++)
            {
                double s = i == j ? _sigma * _sigma : 0;
                for (int k = 0; k < d; k++) s += _w[i, k] * _w[j, k];
                c[i, j] = s;
            }
        var l = Cholesky(c);
        double logDet = 0;
        for (int i = 0; i < D; i++) logDet += 2 * Math.Log(l[i, i]);
        double total = 0;
        var y = new double[D];
        for (int r = 0; r < n; r++)
        {
            // Forward substitution L y = x − b gives the Mahalanobis term ‖y‖².
            double quad = 0;
            for (int i = 0; i < D; i++)
            {
                double s = x[r * D + i] - _b[i];
                for (int k = 0; k < i; k++) s -= l[i, k] * y[k];
                y[i] = s / l[i, i];
                quad += y[i] * y[i];
            }
            total += -0.5 * (D * Math.Log(2 * Math.PI) + logDet + quad);
        }
        return total / n;
    }

    private static double[,] Cholesky(double[,] a)
    {
        int n = a.GetLength(0);
        var l = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
            {
                double s = a[i, j];
                for (int k = 0; k < j; k++) s -= l[i, k] * l[j, k];
                l[i, j] = i == j ? Math.Sqrt(s) : s / l[j, j];
            }
        return l;
    }

    private static double[,] Inverse(double[,] a)
    {
        // Gauss-Jordan elimination; the matrices here are small and well conditioned.
        int n = a.GetLength(0);
        var m = new double[n, 2 * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) m[i, j] = a[i, j];
            m[i, n + i] = 1;
        }
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++) if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col])) pivot = r;
            for (int j = 0; j < 2 * n; j++) (m[col, j], m[pivot, j]) = (m[pivot, j], m[col, j]);
            double p = m[col, col];
            for (int j = 0; j < 2 * n; j++) m[col, j] /= p;
            for (int r = 0; r < n; r++)
            {
                if (r == col) continue;
                double f = m[r, col];
                for (int j = 0; j < 2 * n; j++) m[r, j] -= f * m[col, j];
            }
        }
        var inv = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) inv[i, j] = m[i, n + j];
        return inv;
    }
}
