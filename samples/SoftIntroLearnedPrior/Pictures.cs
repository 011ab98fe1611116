using Microsoft.ML.Vae.Core.Data;
using Microsoft.ML.Vae.Core.Imaging;
using Microsoft.ML.Vae.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SoftIntroLearnedPrior;

/// <summary>Writes the PNG pictures of a trained model.</summary>
public static class Pictures
{
    /// <summary>
    /// Image data: <c>samples.png</c> (64 samples from the learned prior), <c>prior-components.png</c> (each
    /// mixture component's mean decoded) and <c>reconstructions.png</c> (test images above their reconstructions).
    /// </summary>
    public static IReadOnlyList<string> WriteImages(SoftIntroVae model, Tensor testImages, string folder)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        model.SetTraining(false);
        var samples = model.Observation.ToData(model.Decode(model.SamplePriorLatents(64)));
        var prior = model.CurrentPriorParameters() ?? throw new InvalidOperationException("The model has no learned prior.");
        var components = model.Observation.ToData(model.Decode(prior.Means));
        var real = testImages.narrow(0, 0, 32).to(model.Device);
        var reconstructions = model.Observation.ToData(model.Decode(model.Encode(real).Mean));
        var files = new[] { "samples.png", "prior-components.png", "reconstructions.png" }.Select(f => Path.Combine(folder, f)).ToArray();
        ImageGrid.Save(files[0], samples.cpu(), columns: 8);
        ImageGrid.Save(files[1], components.cpu(), columns: 10);
        ImageGrid.Save(files[2], torch.cat([real, reconstructions]).cpu(), columns: 16);
        return files;
    }

    /// <summary>
    /// 2-D data: <c>samples.png</c> (data in gray, model samples in color) and <c>latent.png</c> (the aggregate
    /// posterior of the data in gray, samples of the learned prior in color, component means in black).
    /// </summary>
    public static IReadOnlyList<string> WriteToy(SoftIntroVae model, IDataSampler data, string folder)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        model.SetTraining(false);
        var x = data.Sample(5000);
        var samples = model.Observation.ToData(model.Decode(model.SamplePriorLatents(5000))).cpu();
        var posterior = model.Encode(x.to(model.Device)).Mean.cpu();
        var priorSamples = model.SamplePriorLatents(5000).cpu();
        var means = (model.CurrentPriorParameters() ?? throw new InvalidOperationException("The model has no learned prior.")).Means.cpu();
        var gray = new Rgb(160, 160, 160);
        var files = new[] { "samples.png", "latent.png" }.Select(f => Path.Combine(folder, f)).ToArray();
        ScatterPlot.Save(files[0], [(x, gray), (samples, Rgb.Categorical[0])], data.PlotRange);
        ScatterPlot.Save(files[1], [(posterior, gray), (priorSamples, Rgb.Categorical[1]), (means, new Rgb(0, 0, 0))], 4);
        return files;
    }
}
