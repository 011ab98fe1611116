using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Data;

/// <summary>
/// "moons": two interleaving half circles in the style of scikit-learn's <c>make_moons</c>.
/// ⌊n/2⌋ points evenly spaced on the upper arc (cos t, sin t) and the rest on the lower arc
/// (1 − cos t, 0.5 − sin t), t ∈ [0, π], shuffled, plus <see cref="Noise"/>·N(0, I); then
/// centred and scaled: (p − (0.5, 0.25))·<see cref="Scale"/>, so with the defaults the points
/// span about [−3, 3] × [−1.5, 1.5] and fit the [−4, 4]² plot range.
/// </summary>
/// <param name="noise">Noise standard deviation in the unscaled moon units (default 0.1).</param>
/// <param name="scale">Scale applied after centring (default 2).</param>
public sealed class MoonsSampler(double noise = 0.1, double scale = 2.0) : ToySampler
{
    /// <summary>Noise standard deviation before scaling.</summary>
    public double Noise { get; } = noise >= 0 && double.IsFinite(noise)
        ? noise : throw new ArgumentOutOfRangeException(nameof(noise), noise, "Noise must be finite and non-negative.");

    /// <summary>Scale applied after centring.</summary>
    public double Scale { get; } = scale > 0 && double.IsFinite(scale)
        ? scale : throw new ArgumentOutOfRangeException(nameof(scale), scale, "Scale must be finite and positive.");

    /// <inheritdoc />
    public override string Name => "moons";

    /// <inheritdoc />
    protected override Tensor Generate(long n)
    {
        long outer = n / 2, inner = n - outer;
        var tOuter = torch.linspace(0, Math.PI, outer);
        var tInner = torch.linspace(0, Math.PI, inner);
        var x = torch.cat(new[] { tOuter.cos(), 1.0 - tInner.cos() });
        var y = torch.cat(new[] { tOuter.sin(), 0.5 - tInner.sin() });
        var points = torch.stack([x, y], 1).index_select(0, torch.randperm(n));
        if (Noise > 0) points = points + torch.randn(new long[] { n, 2 }) * Noise;
        using var center = torch.tensor(new[] { 0.5f, 0.25f }, new long[] { 1, 2 });
        return (points - center) * Scale;
    }
}
