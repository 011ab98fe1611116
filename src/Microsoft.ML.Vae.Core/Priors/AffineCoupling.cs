using Microsoft.ML.Vae.Core.Networks;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// One RealNVP affine coupling block with binary mask b (algorithms spec §1.2). Coordinates with
/// b = 1 pass through and condition the scale s(b⊙u) and shift t(b⊙u) of the others.
/// s and t are separate MLPs d → H → H → d with LeakyReLU(0.01) and tanh on the output, so the
/// per-dimension log-scale of a block is bounded by 1.
/// State-dict names: "mask" (buffer), "s.*", "t.*".
/// </summary>
/// <remarks>
/// The mask field carries its registered name (<see cref="ComponentNameAttribute"/>) so that
/// TorchSharp's <c>to(device)</c> / <c>to(dtype)</c>, which replace buffers, update it.
/// </remarks>
public sealed class AffineCoupling : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = "mask")]
    private Tensor _mask;
    private readonly Sequential _scale;
    private readonly Sequential _shift;

    /// <summary>Creates a block for the given mask (entries 0 or 1) and hidden width.</summary>
    public AffineCoupling(IReadOnlyList<float> mask, int hiddenSize = 64)
        : base(nameof(AffineCoupling))
    {
        // Temporaries of the layer constructors are disposed here; the weights are claimed at the end.
        using var scope = torch.NewDisposeScope();
        ArgumentNullException.ThrowIfNull(mask);
        if (mask.Count == 0) throw new ArgumentException("The coupling mask must not be empty.", nameof(mask));
        if (mask.Any(m => m is not (0f or 1f))) throw new ArgumentException("Coupling mask entries must be 0 or 1.", nameof(mask));
        if (hiddenSize <= 0) throw new ArgumentOutOfRangeException(nameof(hiddenSize), $"Hidden size must be positive, got {hiddenSize}.");
        int d = mask.Count;
        Dim = d;
        Mask = mask.ToArray();
        _mask = torch.tensor(mask.ToArray());
        register_buffer("mask", _mask);
        _scale = CreateNet(d, hiddenSize);
        register_module("s", _scale);
        _shift = CreateNet(d, hiddenSize);
        register_module("t", _shift);
        ModuleOwnership.Claim(this);
    }

    /// <summary>Latent dimension d.</summary>
    public int Dim { get; }

    /// <summary>The binary mask b (1 = passed through unchanged).</summary>
    public IReadOnlyList<float> Mask { get; }

    private static Sequential CreateNet(int d, int hidden) => nn.Sequential(
        nn.Linear(d, hidden), nn.LeakyReLU(0.01),
        nn.Linear(hidden, hidden), nn.LeakyReLU(0.01),
        nn.Linear(hidden, d), nn.Tanh());

    /// <summary>Same as <see cref="Generate"/> (the generation direction).</summary>
    public override Tensor forward(Tensor input) => Generate(input);

    /// <summary>
    /// Generation direction (z0 → z) of this block:
    /// u ← b⊙u + (1−b)⊙(u⊙exp(s(b⊙u)) + t(b⊙u)).
    /// </summary>
    public Tensor Generate(Tensor u)
    {
        using var scope = torch.NewDisposeScope();
        var (b, c) = MaskTensors(u);
        var passed = u * b;
        var s = _scale.forward(passed) * c;
        var t = _shift.forward(passed) * c;
        var result = passed + c * (u * s.exp() + t);
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Inference direction (z → z0) of this block:
    /// u ← b⊙u + (1−b)⊙((u − t(b⊙u))⊙exp(−s(b⊙u))), with log|det| = −Σ_j [(1−b)⊙s]_j per row ([N]).
    /// </summary>
    public (Tensor Output, Tensor LogDet) Infer(Tensor u)
    {
        using var scope = torch.NewDisposeScope();
        var (b, c) = MaskTensors(u);
        var passed = u * b;
        var s = _scale.forward(passed) * c;
        var t = _shift.forward(passed) * c;
        var result = passed + c * (u - t) * s.neg().exp();
        var logDet = s.sum(1).neg();
        return (result.MoveToOuterDisposeScope(), logDet.MoveToOuterDisposeScope());
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }

    private (Tensor Mask, Tensor Complement) MaskTensors(Tensor u)
    {
        ArgumentNullException.ThrowIfNull(u);
        if (u.dim() != 2 || u.size(1) != Dim)
            throw new ArgumentException($"Expected latents [N, {Dim}], got [{string.Join(", ", u.shape)}].", nameof(u));
        // Follow the input's dtype/device (the module may have been moved or converted).
        var b = _mask.to(u.dtype, u.device);
        return (b, 1.0 - b);
    }
}
