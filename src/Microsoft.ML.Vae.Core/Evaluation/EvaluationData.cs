using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Core.Priors;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Evaluation;

/// <summary>
/// Shared steps of the posterior metrics: checking a data tensor against a model, moving rows to
/// the model's device, drawing aggregate-posterior samples and decoding latents in batches.
/// </summary>
internal static class EvaluationData
{
    /// <summary>Describes a tensor for messages: "Tensor([2, 3], Float32, cpu)".</summary>
    public static string Describe(Tensor tensor) =>
        tensor.IsInvalid ? "Tensor(disposed)" : $"Tensor([{string.Join(", ", tensor.shape)}], {tensor.dtype}, {Devices.Describe(tensor.device)})";

    /// <summary>
    /// Checks that <paramref name="data"/> is a non-empty floating-point batch [N, ..SampleShape]
    /// for <paramref name="model"/> and returns N.
    /// </summary>
    public static long Validate(IVaeModel model, Tensor data, string paramName = "data")
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data, paramName);
        if (data.IsInvalid) throw new ObjectDisposedException(paramName, "The data tensor has been disposed.");
        var expected = model.SampleShape;
        var shape = data.shape;
        bool matches = shape.Length == expected.Length + 1 && shape.AsSpan(1).SequenceEqual(expected);
        if (!matches)
            throw new ArgumentException(
                $"The data is shaped [{string.Join(", ", shape)}] but the model expects [N, {string.Join(", ", expected)}] " +
                $"(N samples of shape [{string.Join(", ", expected)}]).", paramName);
        if (shape[0] == 0)
            throw new ArgumentException("The data holds no samples; the metric needs at least one.", paramName);
        if (!torch.is_floating_point(data))
            throw new ArgumentException(
                $"The data must be floating point in the model's data range, but it holds {data.dtype} elements.", paramName);
        return shape[0];
    }

    /// <summary>
    /// Seeds the CPU generator and, when CUDA is available, every CUDA device's generator, as the
    /// metrics' seeds always did. (TorchSharp's <c>torch.manual_seed</c> seeds only the CPU generator.)
    /// </summary>
    public static void ManualSeed(long seed)
    {
        torch.manual_seed(seed);
        if (torch.cuda.is_available()) torch.cuda.manual_seed_all(seed);
    }

    /// <summary>Throws when <paramref name="value"/> is not positive.</summary>
    public static void RequirePositive(long value, string paramName)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be positive.");
    }

    /// <summary>Rows [start, start + length) as float32 on the model's device.</summary>
    public static Tensor Rows(Tensor data, long start, long length, Device device)
    {
        using var scope = torch.NewDisposeScope();
        return data.narrow(0, start, length).to(ScalarType.Float32, device).MoveToOuterDisposeScope();
    }

    /// <summary>The rows named by int64 <paramref name="indices"/> as float32 on the model's device.</summary>
    public static Tensor Rows(Tensor data, Tensor indices, Device device)
    {
        using var scope = torch.NewDisposeScope();
        var local = Devices.Same(indices.device, data.device) ? indices : indices.to(data.device);
        return data.index_select(0, local).to(ScalarType.Float32, device).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <paramref name="count"/> samples of the aggregate posterior: random data rows (with
    /// replacement) → encoder → one reparameterized z each. float32 [count, d] on the model's device.
    /// </summary>
    public static Tensor SampleAggregatePosterior(IVaeModel model, Tensor data, long count, int batchSize)
    {
        long n = data.size(0);
        var parts = new List<Tensor>();
        try
        {
            for (long start = 0; start < count; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                long len = Math.Min(batchSize, count - start);
                var index = torch.randint(0, n, [len]);
                var x = Rows(data, index, model.Device);
                var (mean, logVar) = model.Encode(x);
                parts.Add(DiagonalGaussian.Sample(mean, logVar).DetachFromDisposeScope());
            }
            return torch.cat(parts);
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
        long n = data.size(0);
        long take = Math.Min(n, count);
        var means = new List<Tensor>();
        var logVars = new List<Tensor>();
        try
        {
            using var order = n > take ? torch.randperm(n) : torch.arange(n);
            for (long start = 0; start < take; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                long len = Math.Min(batchSize, take - start);
                var x = Rows(data, order.narrow(0, start, len), model.Device);
                var (mean, logVar) = model.Encode(x);
                means.Add(mean.DetachFromDisposeScope());
                logVars.Add(logVar.DetachFromDisposeScope());
            }
            return (torch.cat(means), torch.cat(logVars));
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
            long n = latents.size(0);
            for (long start = 0; start < n; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var decoded = model.Decode(latents.narrow(0, start, Math.Min(batchSize, n - start)));
                parts.Add(model.Observation.ToData(decoded).DetachFromDisposeScope());
            }
            return torch.cat(parts);
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
            long n = z.size(0);
            for (long start = 0; start < n; start += batchSize)
            {
                using var scope = torch.NewDisposeScope();
                var (z0, logDet) = flow.ToGenerationSpace(z.narrow(0, start, Math.Min(batchSize, n - start)));
                z0s.Add(z0.DetachFromDisposeScope());
                logDets.Add(logDet.DetachFromDisposeScope());
            }
            return (torch.cat(z0s), torch.cat(logDets));
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
        using var scope = torch.NewDisposeScope();
        var z = z0.to(ScalarType.Float64);
        var squared = z.square().sum(1);
        return ((squared + z0.size(1) * DiagonalGaussian.Log2Pi) * -0.5).MoveToOuterDisposeScope();
    }
}
