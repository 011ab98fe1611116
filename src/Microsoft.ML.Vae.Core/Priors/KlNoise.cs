using Microsoft.ML.Vae.Core.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// The noise of one Monte-Carlo KL estimate: standard-normal samples ε [M, B, d] (or [M, 1, d], shared by
/// every row) and, when the generator provided it, the mean squared norm (1/M) Σ_m ‖ε_mb‖² [B], which is
/// the noise's part of log q and saves a pass over the samples.
/// </summary>
/// <param name="Samples">Standard-normal samples [M, B, d] or [M, 1, d].</param>
/// <param name="MeanSquaredNorm">(1/M) Σ_m Σ_j ε_mbj² [B], or null to compute it from the samples.</param>
public sealed record KlNoise(Tensor Samples, Tensor? MeanSquaredNorm = null)
{
    /// <summary>
    /// <paramref name="sets"/> independent draws of <paramref name="samples"/> × [<paramref name="batch"/>,
    /// <paramref name="dim"/>] noise, each with its mean squared norm: one call to the fast CPU generator
    /// (<see cref="FusedOps.MonteCarloNoise"/>) for float32 CPU tensors, <c>torch.randn</c> otherwise.
    /// The tensors belong to the caller's dispose scope.
    /// </summary>
    public static KlNoise[] Draw(int sets, int samples, long batch, long dim, ScalarType dtype, Device device)
    {
        if (sets < 1) throw new ArgumentOutOfRangeException(nameof(sets), sets, "At least one set of noise is needed.");
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), samples, "The number of Monte-Carlo samples must be positive.");
        if (batch < 1 || dim < 1) throw new ArgumentOutOfRangeException(nameof(batch), $"Expected a batch and a dimension of at least 1, got {batch} and {dim}.");
        var result = new KlNoise[sets];
        // A null device is the CPU, like TorchSharp's factories' default.
        if (dtype == ScalarType.Float32 && (device is null || device.type == DeviceType.CPU))
        {
            var (noise, norms) = FusedOps.MonteCarloNoise(sets, samples, batch, dim);
            for (int s = 0; s < sets; s++) result[s] = new KlNoise(noise.select(0, s), norms.select(0, s));
            noise.Dispose();
            norms.Dispose();
            return result;
        }
        using var all = torch.randn(new long[] { sets, samples, batch, dim }, dtype, device);
        for (int s = 0; s < sets; s++) result[s] = new KlNoise(all.select(0, s));
        return result;
    }

    /// <summary>The mean squared norm [B] for <paramref name="batch"/> rows: the stored one, or computed from the samples.</summary>
    public Tensor MeanSquaredNormFor(long batch)
    {
        if (MeanSquaredNorm is not null) return MeanSquaredNorm.alias();
        using var scope = torch.NewDisposeScope();
        var perRow = Samples.square().sum(2).mean(new long[] { 0 });
        return (perRow.size(0) == batch ? perRow : perRow.expand(new[] { batch })).MoveToOuterDisposeScope();
    }
}
