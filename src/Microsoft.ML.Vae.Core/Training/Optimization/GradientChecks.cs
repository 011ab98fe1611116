using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Training.Optimization;

/// <summary>Gradient utilities (clipping itself is <c>torch.nn.utils.clip_grad_norm_</c>).</summary>
public static class GradientChecks
{
    /// <summary>
    /// True when every existing gradient of <paramref name="parameters"/> is finite (parameters
    /// without a gradient are skipped). One host synchronization per device.
    /// </summary>
    /// <remarks>
    /// Each gradient is summed (no mask is allocated): a NaN or infinity anywhere makes its sum
    /// non-finite. Only when a sum is not finite — a bad value, or a float overflow of the sum — are
    /// the gradients checked element by element.
    /// </remarks>
    public static bool AllFinite(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var grads = new List<Tensor>();
        foreach (var p in parameters)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(parameters));
            if (p.grad is { } g) grads.Add(g);
        }
        if (grads.Count == 0) return true;
        foreach (var group in grads.GroupBy(g => (g.device_type, g.device_index)))
        {
            var list = group.ToList();
            var sums = list.Select(g => g.sum(type: ScalarType.Float64)).ToList();
            if (torch.stack(sums).sum().isfinite().item<bool>()) continue;
            // Some sum is not finite: decide exactly, per gradient.
            var flags = list.Select(g => g.isfinite().all()).ToList();
            if (!torch.stack(flags).all().item<bool>()) return false;
        }
        return true;
    }
}
