namespace Microsoft.ML.Vae.Core.Priors;

using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

/// <summary>
/// One RealNVP affine coupling block with binary mask b (algorithms spec §1.2). Coordinates with
/// b = 1 pass through and condition the scale s(b⊙u) and shift t(b⊙u) of the others.
/// s and t are separate MLPs d → H → H → d with LeakyReLU(0.01) and tanh on the output, so the
/// per-dimension log-scale of a block is bounded by 1.
/// State-dict names: "mask" (buffer), "s.*", "t.*".
/// </summary>
public sealed class AffineCoupling : Layer
{
    private readonly Tensor _mask;
    private readonly Sequential _scale;
    private readonly Sequential _shift;

    /// <summary>Creates a block for the given mask (entries 0 or 1) and hidden width.</summary>
    public AffineCoupling(IReadOnlyList<float> mask, int hiddenSize = 64)
    {
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Count == 0) throw new ArgumentException("The coupling mask must not be empty.", nameof(mask));
        if (mask.Any(m => m is not (0f or 1f))) throw new ArgumentException("Coupling mask entries must be 0 or 1.", nameof(mask));
        if (hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), $"Hidden size must be positive, got {hiddenSize}.");
        int d = mask.Count;
        Dim = d;
        Mask = mask.ToArray();
        _mask = RegisterBuffer("mask", Tensor.From(mask.ToArray()));
        _scale = RegisterModule("s", CreateNet(d, hiddenSize));
        _shift = RegisterModule("t", CreateNet(d, hiddenSize));
    }

    /// <summary>Latent dimension d.</summary>
    public int Dim { get; }

    /// <summary>The binary mask b (1 = passed through unchanged).</summary>
    public IReadOnlyList<float> Mask { get; }

    private static Sequential CreateNet(int d, int hidden) => new(
        new Linear(d, hidden), new LeakyReLU(0.01),
        new Linear(hidden, hidden), new LeakyReLU(0.01),
        new Linear(hidden, d), new Tanh());

    /// <summary>Same as <see cref="Generate"/> (the generation direction).</summary>
    public override Tensor Forward(Tensor input) => Generate(input);

    /// <summary>
    /// Generation direction (z0 → z) of this block:
    /// u ← b⊙u + (1−b)⊙(u⊙exp(s(b⊙u)) + t(b⊙u)).
    /// </summary>
    public Tensor Generate(Tensor u)
    {
        using var scope = Torch.NewDisposeScope();
        var (b, c) = MaskTensors(u);
        var passed = u * b;
        var s = _scale.Forward(passed) * c;
        var t = _shift.Forward(passed) * c;
        var result = passed + c * (u * s.Exp() + t);
        return result.MoveToOuterScope();
    }

    /// <summary>
    /// Inference direction (z → z0) of this block:
    /// u ← b⊙u + (1−b)⊙((u − t(b⊙u))⊙exp(−s(b⊙u))), with log|det| = −Σ_j [(1−b)⊙s]_j per row ([N]).
    /// </summary>
    public (Tensor Output, Tensor LogDet) Infer(Tensor u)
    {
        using var scope = Torch.NewDisposeScope();
        var (b, c) = MaskTensors(u);
        var passed = u * b;
        var s = _scale.Forward(passed) * c;
        var t = _shift.Forward(passed) * c;
        var result = passed + c * (u - t) * s.Neg().Exp();
        var logDet = s.Sum(1).Neg();
        return (result.MoveToOuterScope(), logDet.MoveToOuterScope());
    }

    private (Tensor Mask, Tensor Complement) MaskTensors(Tensor u)
    {
        if (u.Dim != 2 || u.Size(1) != Dim)
            throw new ArgumentException($"Expected latents [N, {Dim}], got [{string.Join(", ", u.Shape)}].", nameof(u));
        // Follow the input's dtype/device (the module may have been moved or converted).
        var b = _mask.To(u.DType, u.Device);
        return (b, 1.0 - b);
    }
}
