using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Priors;
using Microsoft.ML.Vae.Torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

// "Torch" alone would name the Microsoft.ML.Vae.Torch namespace here.
using Torch = Microsoft.ML.Vae.Torch.Torch;

/// <summary>
/// Shared steps of the posterior metrics: checking a data tensor against a model, moving rows to
/// the model's device, drawing aggregate-posterior samples and decoding latents in batches.
/// </summary>
internal static class EvaluationData
{
    /// <summary>
    /// Checks that <paramref name="data"/> is a non-empty floating-point batch [N, ..SampleShape]
    /// for <paramref name="model"/> and returns N.
    /// </summary>
    public static long Validate(IVaeModel model, Tensor data, string paramName = "data")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data, paramName);
        if (data.IsDisposed) throw new ObjectDisposedException(paramName, "The data tensor has been disposed.");
        var expected = model.SampleShape;
        var shape = data.Shape;
        bool matches = shape.Length == expected.Length + 1 && shape.AsSpan(1).SequenceEqual(expected);
        if (!matches)
            throw new ArgumentException(
                $"The data is shaped [{string.Join(", ", shape)}] but the model expects [N, {string.Join(", ", expected)}] " +
                $"(N samples of shape [{string.Join(", ", expected)}]).", paramName);
        if (shape[0] == 0)
            throw new ArgumentException("The data holds no samples; the metric needs at least one.", paramName);
        if (!data.DType.IsFloatingPoint())
            throw new ArgumentException(
                $"The data must be floating point in the model's data range, but it holds {data.DType} elements.", paramName);
        return shape[0];
    }

    /// <summary>Throws when <paramref name="value"/> is not positive.</summary>
    public static void RequirePositive(long value, string paramName)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be positive.");
    }

    /// <summary>Rows [start, start + length) as float32 on the model's device.</summary>
    public static Tensor Rows(Tensor data, long start, long length, Device device)
    {
        using var scope = Torch.NewDisposeScope();
        return data.Narrow(0, start, length).To(DType.Float32, device).MoveToOuterScope();
    }

    /// <summary>The rows named by int64 <paramref name="indices"/> as float32 on the model's device.</summary>
    public static Tensor Rows(Tensor data, Tensor indices, Device device)
    {
        using var scope = Torch.NewDisposeScope();
        var local = indices.Device == data.Device ? indices : indices.To(data.Device);
        return data.IndexSelect(0, local).To(DType.Float32, device).MoveToOuterScope();
    }

    /// <summary>
    /// <paramref name="count"/> samples of the aggregate posterior: random data rows (with
    /// replacement) → encoder → one reparameterized z each. float32 [count, d] on the model's device.
    /// </summary>
    public static Tensor SampleAggregatePosterior(IVaeModel model, Tensor data, long count, int batchSize)
    {
        long n = data.Size(0);
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < count; start += batchSize)
            {
                using var scope = Torch.NewDisposeScope();
                long len = Math.Min(batchSize, count - start);
                var index = Torch.RandInt(0, n, [len]);
                var x = Rows(data, index, model.Device);
                var (mean, logVar) = model.Encode(x);
                parts.Add(DiagonalGaussian.Sample(mean, logVar).DetachFromScope());
            }
            return Torch.Cat(parts);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    /// <summary>
    /// Encodes <paramref name="count"/> distinct random data rows (all rows when the data has fewer)
    /// and returns their posterior means and log-variances, each [count, d] on the model's device.
    /// </summary>
    public static (Tensor Mean, Tensor LogVar) EncodeRandomRows(IVaeModel model, Tensor data, long count, int batchSize)
    {
        long n = data.Size(0);
        long take = Math.Min(n, count);
        var means = new List<Tensor>();
        var logVars = new List<Tensor>();
        try
        {
            using var order = n > take ? Torch.RandPerm(n) : Torch.Arange(n);
            for (long start = 0; start < take; start += batchSize)
            {
                using var scope = Torch.NewDisposeScope();
                long len = Math.Min(batchSize, take - start);
                var x = Rows(data, order.Narrow(0, start, len), model.Device);
                var (mean, logVar) = model.Encode(x);
                means.Add(mean.DetachFromScope());
                logVars.Add(logVar.DetachFromScope());
            }
            return (Torch.Cat(means), Torch.Cat(logVars));
        }
        finally
        {
            foreach (var t in means) t.Dispose();
            foreach (var t in logVars) t.Dispose();
        }
    }

    /// <summary>Decodes latents [n, d] in batches and maps the outputs to the data range.</summary>
    public static Tensor DecodeToData(IVaeModel model, Tensor latents, int batchSize)
    {
        var parts = new List<Tensor>();
        try
        {
            long n = latents.Size(0);
            for (long start = 0; start < n; start += batchSize)
            {
                using var scope = Torch.NewDisposeScope();
                var decoded = model.Decode(latents.Narrow(0, start, Math.Min(batchSize, n - start)));
                parts.Add(model.Observation.ToData(decoded).DetachFromScope());
            }
            return Torch.Cat(parts);
        }
        finally
        {
            foreach (var p in parts) p.Dispose();
        }
    }

    /// <summary>z0 = g(z) and log|det ∂g/∂z| for latents [n, d], computed in batches.</summary>
    public static (Tensor Z0, Tensor LogDet) ToGenerationSpace(IGenerationSpacePrior flow, Tensor z, int batchSize)
    {
        var z0s = new List<Tensor>();
        var logDets = new List<Tensor>();
        try
        {
            long n = z.Size(0);
            for (long start = 0; start < n; start += batchSize)
            {
                using var scope = Torch.NewDisposeScope();
                var (z0, logDet) = flow.ToGenerationSpace(z.Narrow(0, start, Math.Min(batchSize, n - start)));
                z0s.Add(z0.DetachFromScope());
                logDets.Add(logDet.DetachFromScope());
            }
            return (Torch.Cat(z0s), Torch.Cat(logDets));
        }
        finally
        {
            foreach (var t in z0s) t.Dispose();
            foreach (var t in logDets) t.Dispose();
        }
    }

    /// <summary>log N(z0; 0, I) per row of z0 [n, d], float64.</summary>
    public static Tensor StandardNormalLogDensity(Tensor z0)
    {
        using var scope = Torch.NewDisposeScope();
        var z = z0.To(DType.Float64);
        var squared = z.Square().Sum(1);
        return ((squared + z0.Size(1) * DiagonalGaussian.Log2Pi) * -0.5).MoveToOuterScope();
    }
}
