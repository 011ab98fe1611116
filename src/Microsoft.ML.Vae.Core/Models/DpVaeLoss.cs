using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Networks;
using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Training;

/// <summary>Routes a <see cref="DpVae"/> forward pass to the objective of its regularizer (spec §1.4).</summary>
public static class DpVaeLoss
{
    /// <summary>
    /// The loss terms of <paramref name="output"/> (from <see cref="DpVae.Forward"/> on <paramref name="x"/>)
    /// under the weights of <paramref name="options"/> at 1-based iteration <paramref name="step"/>.
    /// FactorVAE requires <paramref name="discriminator"/>; InfoVAE draws prior samples (through g⁻¹
    /// with the decoupled prior, differentiable in the flow).
    /// </summary>
    public static LossTerms Compute(DpVae model, DpVaeOptions options, DpVaeOutput output, Tensor x, long step, FactorDiscriminator? discriminator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(x);
        using var scope = torch.NewDisposeScope();
        LossTerms terms;
        switch (options.Regularizer)
        {
            case Regularizer.Vae:
            case Regularizer.BetaH:
                terms = BetaVaeObjective.Compute(output.Reconstruction, x, model.KlPerSample(output), options.MseWeight, options.ResolveBeta());
                break;
            case Regularizer.BetaB:
                terms = CapacityObjective.Compute(output.Reconstruction, x, model.KlPerSample(output), options.MseWeight, options.ResolveGamma(),
                    options.CapacityMax, options.CapacityStopIteration, step);
                break;
            case Regularizer.BetaTc:
                var logPz = model.PriorLogDensityForTc(output.Z, options.OmitFlowLogDetInTc);
                terms = BetaTcObjective.Compute(output.Reconstruction, x, options.MseWeight, output.Z, output.Mean, output.LogVar, logPz,
                    options.DatasetSize, options.ResolveAlpha(), options.ResolveBeta(), options.ResolveGamma(), options.ReproduceMssWeightQuirk,
                    options.ReproduceRepeatedWeightQuirk);
                break;
            case Regularizer.Factor:
                if (discriminator is null)
                    throw new ArgumentException("FactorVAE's loss needs the discriminator.", nameof(discriminator));
                var logits = discriminator.forward(output.Z);
                terms = FactorVaeObjective.VaeLoss(output.Reconstruction, x, model.KlPerSample(output), logits, options.MseWeight, options.ResolveGamma());
                break;
            case Regularizer.Info:
                var zPrior = model.GenerationPrior.FromGenerationSpace(torch.randn_like(output.Z));
                terms = InfoVaeObjective.Compute(output.Reconstruction, x, model.KlPerSample(output), output.Z, zPrior,
                    options.MseWeight, options.ResolveAlpha(), options.Lambda);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(options), options.Regularizer, "Unknown regularizer.");
        }
        terms.Total.MoveToOuterDisposeScope();
        foreach (var (_, value) in terms.Terms) value.MoveToOuterDisposeScope();
        return terms;
    }
}
