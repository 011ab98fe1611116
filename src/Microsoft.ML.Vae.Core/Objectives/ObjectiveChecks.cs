namespace Microsoft.ML.Vae.Core.Objectives;

using Microsoft.ML.Vae.Torch;

/// <summary>Argument checks shared by the objectives.</summary>
internal static class ObjectiveChecks
{
    public static void PerSample(Tensor values, Tensor x, string name)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        ArgumentNullException.ThrowIfNull(x);
        if (values.Dim != 1 || values.Size(0) != x.Size(0))
            throw new ArgumentException($"Expected one value per sample ([{x.Size(0)}]), got [{string.Join(", ", values.Shape)}].", name);
    }

    public static void Latents(Tensor z, string name)
    {
        ArgumentNullException.ThrowIfNull(z, name);
        if (z.Dim != 2) throw new ArgumentException($"Expected latents [N, d], got [{string.Join(", ", z.Shape)}].", name);
    }

    public static void Weight(double value, string name)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, $"The weight {name} must be non-negative and finite, got {value}.");
    }
}
