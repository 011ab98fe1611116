namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Objectives;
using Microsoft.ML.Vae.Core.Training;

/// <summary>Creates the training program matching a dpVAE-family model's optimizer topology.</summary>
public static class DpVaeTraining
{
    /// <summary>
    /// A <see cref="FactorVaeProgram"/> for FactorVAE, otherwise a single-optimizer <see cref="DpVaeProgram"/>.
    /// <paramref name="options"/> supplies loss weights and optimizer settings; its regularizer and prior
    /// must match the model's. β-TCVAE needs <see cref="DpVaeOptions.DatasetSize"/>.
    /// </summary>
    public static ITrainingProgram CreateProgram(DpVae model, DpVaeOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        // The network settings of the options do not apply to a model whose networks were supplied.
        options = options.Clone();
        options.CustomNetworks = model.HasCustomNetworks;
        options.ValidateForTraining();
        if (options.Regularizer != model.Regularizer || options.DecoupledPrior != model.DecoupledPrior)
            throw new ArgumentException(
                $"The options describe a '{options.Kind}' model but the model is '{model.Kind}'.", nameof(options));
        if (options.LatentDim != model.LatentDim || !options.SampleShape.SequenceEqual(model.SampleShape))
            throw new ArgumentException("The options' latent dimension or sample shape differ from the model's.", nameof(options));
        return options.Regularizer == Regularizer.Factor ? new FactorVaeProgram(model, options) : new DpVaeProgram(model, options);
    }

    /// <summary>The program for <paramref name="model"/> with the options it was built with.</summary>
    public static ITrainingProgram CreateProgram(DpVae model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return CreateProgram(model, model.Options);
    }
}
