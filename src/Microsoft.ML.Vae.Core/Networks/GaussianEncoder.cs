namespace Microsoft.ML.Vae.Core.Networks;

using Microsoft.ML.Vae.Torch;
using Microsoft.ML.Vae.Torch.NN;

/// <summary>
/// An encoder producing the parameters of a diagonal-Gaussian posterior q(z|x) = N(mean, diag exp(logVar)).
/// </summary>
public abstract class GaussianEncoder : Module
{
    /// <summary>Latent dimension d.</summary>
    public abstract int LatentDim { get; }

    /// <summary>Posterior mean and log-variance, each [N, d].</summary>
    public abstract (Tensor Mean, Tensor LogVar) Forward(Tensor x);
}

/// <summary>
/// A <see cref="GaussianEncoder"/> whose body maps x to 2d features: the first d are the mean, the
/// last d the log-variance (the layout of the β-VAE / FactorVAE reference encoders).
/// The body is registered as "body".
/// </summary>
public sealed class SplitGaussianEncoder : GaussianEncoder
{
    private readonly Layer _body;
    private readonly int _latentDim;

    /// <summary>Wraps <paramref name="body"/>, which must output [N, 2·<paramref name="latentDim"/>].</summary>
    public SplitGaussianEncoder(Layer body, int latentDim)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (latentDim <= 0) throw new ArgumentOutOfRangeException(nameof(latentDim), $"Latent dimension must be positive, got {latentDim}.");
        _latentDim = latentDim;
        _body = RegisterModule("body", body);
    }

    /// <inheritdoc />
    public override int LatentDim => _latentDim;

    /// <summary>The network producing the 2d features.</summary>
    public Layer Body => _body;

    /// <inheritdoc />
    public override (Tensor Mean, Tensor LogVar) Forward(Tensor x)
    {
        using var features = _body.Forward(x);
        if (features.Dim != 2 || features.Size(1) != 2L * _latentDim)
            throw new InvalidOperationException(
                $"The encoder body must output [N, {2 * _latentDim}] features, got [{string.Join(", ", features.Shape)}].");
        return (features.Narrow(1, 0, _latentDim), features.Narrow(1, _latentDim, _latentDim));
    }
}
