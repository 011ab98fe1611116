namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Networks;

/// <summary>
/// Lower bounds on the number of weights of the built-in architectures, computed from their options without
/// building anything (see <see cref="Persistence.IModelFamily.MinimumWeightCount"/>). Each counts only the layers
/// whose sizes the options set (linear layers exactly, convolutions by their weight tensors), so it never exceeds
/// the real count; arithmetic is in doubles and saturates, so absurd sizes give a huge bound, not an overflow.
/// </summary>
internal static class WeightCountBounds
{
    /// <summary>dpVAE family: the encoder and decoder networks and, with the decoupled prior, the flow.</summary>
    public static long DpVae(DpVaeOptions options)
    {
        options.Validate();
        double d = options.LatentDim, features = Product(options.SampleShape);
        var kind = NetworkFactory.Resolve(options.SampleShape, options.Network);
        double total;
        if (kind == NetworkKind.Mlp)
        {
            total = Mlp(features, options.MlpHiddenSizes, 2 * d) + Mlp(d, options.MlpHiddenSizes.Reverse().ToArray(), features);
        }
        else
        {
            // Both convolutional pairs end the encoder with Linear(256 → 2d) and start the decoder with Linear(d → 256);
            // the first and last convolutions have 32 filters of 4×4 per image channel.
            double channels = options.SampleShape[0];
            total = Linear(256, 2 * d) + Linear(d, 256) + 2 * channels * 32 * 16;
            // FactorVAE's released configs use their own pair (as the DpVae constructor picks it).
            bool factor = kind == NetworkKind.FactorConv || (options.Network == NetworkKind.Auto && options.Regularizer == Objectives.Regularizer.Factor);
            total += factor
                // Convolution weights 32→64 k3, 64→64 k4, 64→256 k3, 256→256 k4, mirrored in the decoder.
                ? 2 * (32 * 64 * 9 + 64 * 64 * 16 + 64 * 256 * 9 + 256 * 256 * 16)
                // Linear(512 → 256), Linear(256 → 256) and their mirrors; convolution weights 32→32 k3, k4, k3, mirrored.
                : Linear(512, 256) + 2 * Linear(256, 256) + Linear(256, 512) + 2 * 32 * 32 * (9 + 16 + 9);
        }
        if (options.DecoupledPrior)
        {
            // Each coupling block has two nets (scale, shift): Linear(d → h), Linear(h → h), Linear(h → d).
            double h = options.FlowHidden;
            total += options.FlowBlocks * 2 * (Linear(d, h) + Linear(h, h) + Linear(h, d));
        }
        return Saturate(total);
    }

    /// <summary>Soft-IntroVAE: the MLP or residual networks and the learned prior.</summary>
    public static long SoftIntro(SoftIntroOptions options)
    {
        options.Validate();
        double d = options.LatentDim, features = Product(options.SampleShape);
        double total;
        if (options.ResolveNetwork() == SoftIntroNetwork.Mlp)
        {
            total = Mlp(features, options.MlpHiddenSizes, 2 * d) + Mlp(d, options.MlpHiddenSizes.Reverse().ToArray(), features);
        }
        else
        {
            long height = options.SampleShape[1], width = options.SampleShape[2];
            if (height > int.MaxValue || width > int.MaxValue)
                throw new ArgumentException($"The sample shape [{string.Join(", ", options.SampleShape)}] is too large.", nameof(options));
            var channels = options.ResNetChannels ?? (height == width ? IntroResNet.DefaultChannels((int)height) : null)
                ?? throw new ArgumentException($"Default channel lists exist for square images only; give the channels for {height}×{width}.", nameof(options));
            var (h, w) = IntroResNet.ConvOutputSize((int)height, (int)width, channels);
            double last = channels[^1], code = last * h * w;
            // Flatten → Linear(c_L·h·w → 2d) and Linear(d → c_L·h·w); every residual block ends with a 3×3 conv c → c.
            total = Linear(code, 2 * d) + Linear(d, code);
            foreach (double c in channels.Skip(1)) total += 9 * c * c; // encoder blocks
            foreach (double c in channels) total += 9 * c * c;         // decoder blocks
        }
        if (options.LearnedPrior)
        {
            // A VampPrior keeps K pseudo-inputs of the sample's size; a mixture keeps K means and K log-variances.
            total += options.PriorKind == SoftIntroPriorKind.Vamp ? options.Components * features : 2.0 * options.Components * d;
        }
        return Saturate(total);
    }

    /// <summary>GAMIX: the dense layers around the code and the F → F convolutions of the residual blocks.</summary>
    public static long Gamix(GamixOptions options)
    {
        options.Validate();
        var config = options.ToNetworkConfig();
        double d = config.LatentDim, code = (double)config.CodeChannels * config.CodeHeight * config.CodeWidth, f = config.Filters;
        // Encoder: mean and log-variance Linear(code → d); decoder: Linear(d → code).
        double total = 2 * Linear(code, d) + Linear(d, code);
        // Stems (C → F and code → F, 3×3) and the encoder's 1×1 code convolution F → code channels.
        total += 9 * f * (config.Channels + config.CodeChannels) + f * config.CodeChannels;
        // A triple convolution F → F holds 3×3, 3×3 and 1×1 kernels (19 F²), as does an up block F → F
        // (1×1 reduce, 3×3 upsample, 3×3 shortcut). Encoder: identity blocks and a down block per stage;
        // decoder: identity blocks per stage and an up block per stage but the last (which outputs C channels).
        double tripleConv = 19 * f * f;
        total += tripleConv * (config.Stages * (config.EncoderIdentityBlocks + 1) + config.Stages * config.DecoderIdentityBlocks + (config.Stages - 1));
        return Saturate(total);
    }

    private static double Linear(double inputs, double outputs) => inputs * outputs + outputs;

    private static double Mlp(double inputs, IReadOnlyList<int> hidden, double outputs)
    {
        double total = 0, width = inputs;
        foreach (double h in hidden)
        {
            total += Linear(width, h);
            width = h;
        }
        return total + Linear(width, outputs);
    }

    private static double Product(IEnumerable<long> shape) => shape.Aggregate(1.0, (a, b) => a * b);

    private static long Saturate(double total) => total >= long.MaxValue ? long.MaxValue : (long)total;
}
