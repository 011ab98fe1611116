namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Training;

/// <summary>Creates the training program of a GAMIX-VAE-family model.</summary>
public static class GamixTraining
{
    /// <summary>
    /// A <see cref="GamixProgram"/> for <paramref name="model"/>: <paramref name="options"/> supplies the loss
    /// weights and optimizer settings; its kind, networks and PatchGAN switch must match the model's options.
    /// </summary>
    public static ITrainingProgram CreateProgram(GamixVae model, GamixOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.ValidateForTraining();
        var own = model.Options;
        if (options.Kind != own.Kind)
            throw new ArgumentException($"The options describe a '{options.Kind}' model but the model is '{own.Kind}'.", nameof(options));
        if (!options.SameArchitecture(own))
            throw new ArgumentException("The options' image shape, latent dimension or network settings differ from the model's.", nameof(options));
        if (options.PatchGan != own.PatchGan)
            throw new ArgumentException(
                $"The model records PatchGan = {own.PatchGan} but the options say {options.PatchGan}; build the model with the setting it is trained with.", nameof(options));
        return new GamixProgram(model, options);
    }

    /// <summary>The program for <paramref name="model"/> with the options it was built with.</summary>
    public static ITrainingProgram CreateProgram(GamixVae model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return CreateProgram(model, model.Options);
    }
}
