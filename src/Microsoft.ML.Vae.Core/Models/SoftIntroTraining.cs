using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Core.Models;

using Microsoft.ML.Vae.Core.Training;

/// <summary>Entry points for training a <see cref="SoftIntroVae"/>.</summary>
public static class SoftIntroTraining
{
    /// <summary>
    /// The introspective program for <paramref name="model"/> with <paramref name="options"/> (default the
    /// model's own); architecture and prior settings must match the model's.
    /// </summary>
    public static SoftIntroProgram CreateProgram(SoftIntroVae model, SoftIntroOptions? options = null) => new(model, options);

    /// <summary>
    /// Initializes a learned prior whose <see cref="SoftIntroOptions.PriorInit"/> needs data, drawing
    /// batches from <paramref name="source"/> until at least K samples (VampPrior "random": one batch) are
    /// available; does nothing for the standard prior or a randomly initialized mixture. Call it before
    /// training starts (a resumed run restores the prior from its checkpoint instead).
    /// </summary>
    public static void InitializePrior(SoftIntroVae model, IBatchSource source)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        var options = model.Options;
        bool needsData = options.PriorKind == SoftIntroPriorKind.Vamp
                         || (options.PriorKind == SoftIntroPriorKind.Mixture && options.PriorInit == SoftIntroPriorInit.Data);
        if (!needsData) return;
        using var scope = torch.NewDisposeScope();
        var batches = new List<Tensor>();
        long count = 0;
        long needed = options.PriorInit == SoftIntroPriorInit.Data ? options.Components : 1;
        while (count < needed)
        {
            var b = source.Next() ?? throw new InvalidOperationException("The batch source returned null.");
            if (b.size(0) == 0) throw new InvalidOperationException("The batch source returned an empty batch.");
            batches.Add(b);
            count += b.size(0);
            if (batches.Count > 1_000_000) throw new InvalidOperationException("The batch source did not provide enough samples.");
        }
        model.InitializePrior(batches.Count == 1 ? batches[0] : torch.cat(batches, 0));
    }
}
