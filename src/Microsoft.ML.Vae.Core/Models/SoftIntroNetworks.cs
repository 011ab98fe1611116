using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Networks;

/// <summary>Builds the encoder/decoder pair a <see cref="SoftIntroOptions"/> describes.</summary>
public static class SoftIntroNetworks
{
    /// <summary>
    /// <see cref="SoftIntroNetwork.Mlp"/>: encoder Linear(D→h₁)+ReLU … Linear(h_last→2d) split into mean and
    /// log-variance, decoder Linear(d→h_last)+ReLU … Linear(h₁→D) (the 2-D networks of spec §2.4 with the
    /// default widths); <see cref="SoftIntroNetwork.ResNet"/>: the residual pair of spec §2.6.
    /// </summary>
    public static (GaussianEncoder Encoder, nn.Module<Tensor, Tensor> Decoder) Create(SoftIntroOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (options.ResolveNetwork() == SoftIntroNetwork.ResNet)
        {
            var (encoder, decoder) = IntroResNet.Create(options.SampleShape, options.LatentDim, options.ResNetChannels);
            return (encoder, decoder);
        }
        long features = options.SampleElements;
        if (features > int.MaxValue) throw new ArgumentException($"Sample shape [{string.Join(", ", options.SampleShape)}] is too large for an MLP.", nameof(options));
        var hidden = options.MlpHiddenSizes;
        var mlpEncoder = new SplitGaussianEncoder(new Mlp((int)features, hidden, 2 * options.LatentDim, Activation.ReLU), options.LatentDim);
        nn.Module<Tensor, Tensor> mlpDecoder = new Mlp(options.LatentDim, hidden.Reverse().ToArray(), (int)features, Activation.ReLU);
        // Children "0" (the MLP) and "1" (the reshape, no weights), as before.
        if (options.SampleShape.Length > 1) mlpDecoder = nn.Sequential(mlpDecoder, nn.Unflatten(1, options.SampleShape.ToArray()));
        return (mlpEncoder, mlpDecoder);
    }
}
