using Microsoft.ML.Vae.Core.Engine;
using Microsoft.ML.Vae.Core.Networks;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Priors;

/// <summary>
/// The pseudo-inputs of a VampPrior (algorithms spec §3.1): K learnable inputs u_k whose encoder
/// posteriors q(z|u_k) are the mixture components. As in the reference, u = a(Wᵀ) where W [D, K] is
/// a bias-free linear map from one-hot codes to data space (parameter "weight") and a is the identity
/// for vectors or Hardtanh(0, 1) for images. The mixture weights live in the companion
/// <see cref="MixturePrior"/>, which also receives the components when the VampPrior is converted
/// to a mixture of Gaussians.
/// </summary>
/// <remarks>
/// The weight field carries its registered name (<see cref="ComponentNameAttribute"/>) so that
/// TorchSharp's <c>to(device)</c>, which replaces parameters, updates it.
/// </remarks>
public sealed class VampPrior : nn.Module
{
    [ComponentName(Name = "weight")]
    private Parameter _weight;
    private readonly long[] _sampleShape;

    /// <summary>Creates K pseudo-inputs of shape <paramref name="sampleShape"/>, initialized like PyTorch's Linear(K, D, bias=False).</summary>
    /// <param name="components">Number of pseudo-inputs K.</param>
    /// <param name="sampleShape">Shape of one data sample.</param>
    /// <param name="clampToUnitInterval">Apply Hardtanh(0, 1) to the pseudo-inputs (images).</param>
    public VampPrior(int components, IReadOnlyList<long> sampleShape, bool clampToUnitInterval) : base(nameof(VampPrior))
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (components < 1) throw new ArgumentOutOfRangeException(nameof(components), components, "A VampPrior needs at least one pseudo-input.");
        if (sampleShape.Count == 0 || sampleShape.Any(s => s <= 0))
            throw new ArgumentException($"Sample shape [{string.Join(", ", sampleShape)}] must be non-empty with positive sizes.", nameof(sampleShape));
        Components = components;
        _sampleShape = sampleShape.ToArray();
        Features = _sampleShape.Aggregate(1L, (a, b) => checked(a * b));
        ClampToUnitInterval = clampToUnitInterval;
        double bound = 1.0 / Math.Sqrt(components);
        using (torch.NewDisposeScope())
        using (torch.no_grad())
        {
            _weight = new Parameter(torch.empty(Features, components).uniform_(-bound, bound));
            _weight.DetachFromDisposeScope();
            register_parameter("weight", _weight);
        }
    }

    /// <summary>Number of pseudo-inputs K.</summary>
    public int Components { get; }

    /// <summary>Features per pseudo-input D.</summary>
    public long Features { get; }

    /// <summary>Shape of one pseudo-input.</summary>
    public IReadOnlyList<long> SampleShape => _sampleShape;

    /// <summary>Whether Hardtanh(0, 1) is applied (images).</summary>
    public bool ClampToUnitInterval { get; }

    /// <summary>The linear map W [D, K]; its transpose holds the raw pseudo-inputs.</summary>
    public Tensor Weight => _weight;

    /// <summary>The pseudo-inputs u [K, ..sampleShape], differentiable in <see cref="Weight"/>.</summary>
    public Tensor PseudoInputs()
    {
        using var scope = torch.NewDisposeScope();
        // Linear(one-hot K) is exactly Wᵀ; no product with the identity is needed.
        var u = _weight.t();
        if (ClampToUnitInterval) u = u.clamp(0, 1); // hardtanh(0, 1): same values and gradients (TorchSharp 0.107's hardtanh ignores its bounds)
        return u.reshape([Components, .. _sampleShape]).MoveToOuterDisposeScope();
    }

    /// <summary>The mixture components (μ_k, lv_k) = encoder(u_k), each [K, d].</summary>
    public (Tensor Means, Tensor LogVars) EncodeComponents(GaussianEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        using var scope = torch.NewDisposeScope();
        var (mean, logVar) = encoder.forward(PseudoInputs());
        return (mean.MoveToOuterDisposeScope(), logVar.MoveToOuterDisposeScope());
    }

    /// <summary>"data" initialization: the first K rows of <paramref name="samples"/> [N ≥ K, ..sampleShape] become the pseudo-inputs.</summary>
    public void InitializeFromData(Tensor samples)
    {
        using var scope = torch.NewDisposeScope();
        var flat = CheckSamples(samples, Components);
        using (torch.no_grad()) _weight.copy_(flat.narrow(0, 0, Components).t());
    }

    /// <summary>"random" initialization: pseudo-inputs = mean(samples) + std(samples)·N(0, I), statistics over all elements.</summary>
    public void InitializeRandom(Tensor samples)
    {
        using var scope = torch.NewDisposeScope();
        var flat = CheckSamples(samples, 1).to_type(ScalarType.Float64);
        double mean = flat.mean().ItemAsDouble();
        // numpy's std is the population standard deviation.
        double std = flat.std(unbiased: false).ItemAsDouble();
        using (torch.no_grad())
        {
            var eps = torch.randn(new[] { (long)Components, Features }, _weight.dtype, _weight.device);
            _weight.copy_((eps * std + mean).t());
        }
    }

    private Tensor CheckSamples(Tensor samples, long minimum)
    {
        ArgumentNullException.ThrowIfNull(samples);
        var shape = samples.shape;
        if (shape.Length != _sampleShape.Length + 1 || !shape.Skip(1).SequenceEqual(_sampleShape))
            throw new ArgumentException($"Expected samples [N, {string.Join(", ", _sampleShape)}], got [{string.Join(", ", shape)}].", nameof(samples));
        if (shape[0] < minimum)
            throw new ArgumentException($"Initializing {Components} pseudo-inputs needs at least {minimum} samples, got {shape[0]}.", nameof(samples));
        return samples.reshape(shape[0], Features).to(_weight.dtype, _weight.device);
    }
}
