using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Objectives;

/// <summary>Argument checks shared by the objectives.</summary>
internal static class ObjectiveChecks
{
    public static void PerSample(Tensor values, Tensor x, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        ArgumentNullException.ThrowIfNull(x);
        if (values.dim() != 1 || values.size(0) != x.size(0))
            throw new ArgumentException($"Expected one value per sample ([{x.size(0)}]), got [{string.Join(", ", values.shape)}].", name);
    }

    public static void Latents(Tensor z, string name)
    {
        ArgumentNullException.ThrowIfNull(z, name);
        if (z.dim() != 2) throw new ArgumentException($"Expected latents [N, d], got [{string.Join(", ", z.shape)}].", name);
    }

    public static void Weight(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, $"The weight {name} must be non-negative and finite, got {value}.");
    }
}
