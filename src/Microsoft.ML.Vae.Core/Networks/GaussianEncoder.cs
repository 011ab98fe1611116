using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// An encoder producing the parameters of a diagonal-Gaussian posterior q(z|x) = N(mean, diag exp(logVar)):
/// a TorchSharp module whose <c>forward(x)</c> returns the pair (mean, log-variance).
/// </summary>
/// <remarks>
/// To use a network of your own, write it as an ordinary TorchSharp <c>nn.Module&lt;Tensor, Tensor&gt;</c> that
/// outputs 2·d features per sample and wrap it in a <see cref="SplitGaussianEncoder"/>, or derive from this
/// class to return the two tensors directly.
/// </remarks>
public abstract class GaussianEncoder : nn.Module<Tensor, (Tensor Mean, Tensor LogVar)>
{
    /// <summary>Creates the module with TorchSharp name <paramref name="name"/>.</summary>
    protected GaussianEncoder(string name)
        : base(name)
    {
    }

    /// <summary>Latent dimension d.</summary>
    public abstract int LatentDim { get; }

    /// <summary>Posterior mean and log-variance, each [N, d].</summary>
    public abstract override (Tensor Mean, Tensor LogVar) forward(Tensor x);
}

/// <summary>
/// A <see cref="GaussianEncoder"/> whose body maps x to 2d features: the first d are the mean, the
/// last d the log-variance (the layout of the β-VAE / FactorVAE reference encoders).
/// The body, any TorchSharp <c>nn.Module&lt;Tensor, Tensor&gt;</c>, is registered as "body".
/// </summary>
public sealed class SplitGaussianEncoder : GaussianEncoder
{
    private readonly nn.Module<Tensor, Tensor> _body;
    private readonly int _latentDim;

    /// <summary>Wraps <paramref name="body"/>, which must output [N, 2·<paramref name="latentDim"/>].</summary>
    public SplitGaussianEncoder(nn.Module<Tensor, Tensor> body, int latentDim)
        : base(nameof(SplitGaussianEncoder))
    {
        ArgumentNullException.ThrowIfNull(body);
        if (latentDim <= 0) throw new ArgumentOutOfRangeException(nameof(latentDim), $"Latent dimension must be positive, got {latentDim}.");
        _latentDim = latentDim;
        _body = body;
        register_module("body", _body);
    }

    /// <inheritdoc />
    public override int LatentDim => _latentDim;

    /// <summary>The network producing the 2d features.</summary>
    public nn.Module<Tensor, Tensor> Body => _body;

    /// <inheritdoc />
    public override (Tensor Mean, Tensor LogVar) forward(Tensor x)
    {
        using var features = _body.forward(x);
        if (features.dim() != 2 || features.size(1) != 2L * _latentDim)
            throw new InvalidOperationException(
                $"The encoder body must output [N, {2 * _latentDim}] features, got [{string.Join(", ", features.shape)}].");
        return (features.narrow(1, 0, _latentDim), features.narrow(1, _latentDim, _latentDim));
    }

    /// <summary>Registration is explicit (names are part of the file format): fields are never registered by reflection.</summary>
    protected override void RegisterComponents()
    {
    }
}
