using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Imaging;
using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae.Cli.Output;

/// <summary>Draws samples from a model and writes them as a picture (image grid or 2-D scatter plot).</summary>
internal static class SampleWriter
{
    /// <summary>Normal samples: z ~ prior → decoder → data range.</summary>
    public static Tensor Draw(IVaeModel model, long count)
    {
        using var noGrad = torch.no_grad();
        model.SetTraining(false);
        using var scope = torch.NewDisposeScope();
        var z = model.Prior.Sample(count);
        var decoded = model.Decode(z);
        return model.Observation.ToData(decoded).cpu().MoveToOuterDisposeScope();
    }

    /// <summary>Writes samples (CPU tensors in data space) as a grid for images or a scatter plot for 2-D points.</summary>
    public static void Write(string path, Tensor samples, IVaeModel model, double plotRange = 4)
    {
        if (model.SampleShape.Length == 3) ImageGrid.Save(path, samples);
        else if (model.SampleShape.SequenceEqual(new long[] { 2 })) ScatterPlot.Save(path, samples, plotRange);
        else throw new NotSupportedException($"Samples of shape [{string.Join(", ", model.SampleShape)}] have no picture; use 'vae encode' or the library API.");
    }

    /// <summary>Plot range for 2-D data: the toy set's own range when known.</summary>
    public static double PlotRangeFor(string? dataName) =>
        dataName is not null && ToyDatasets.IsToy(dataName) ? ToyDatasets.Create(dataName).PlotRange : 4;
}
