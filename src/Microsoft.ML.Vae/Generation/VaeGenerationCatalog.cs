using Microsoft.ML.Data;
using Microsoft.ML.Vae.Core.Evaluation;
using Microsoft.ML.Vae.Core.Models;
using Microsoft.ML.Vae.Data;
using Microsoft.ML.Vae.Mapping;
using Microsoft.ML.Vae.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Vae;

/// <summary>
/// Generators: an <see cref="IDataView"/> of samples drawn from a trained VAE, one row per sample with the
/// sample (planar floats, 0–255 for images by default, ready for ConvertToImage), its latent and a score.
/// The data view is materialized when this method returns; it does not need saving.
/// </summary>
public static class VaeGenerationCatalog
{
    // libtorch's random generators are process-wide: generations are serialized so that seeded runs repeat.
    private static readonly object Gate = new();

    /// <summary>Prior samples from <paramref name="model"/> (<see cref="VaeGenerationMode.Prior"/> only).</summary>
    /// <exception cref="ArgumentException">The options are invalid or ask for a posterior mode (which needs data).</exception>
    public static IDataView Generate(this VaeCatalog catalog, IVaeModel model, VaeGenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        var o = Checked(options);
        if (o.Mode != VaeGenerationMode.Prior)
            throw new ArgumentException($"{o.Mode} samples depend on the aggregate posterior of data; call the overload that takes the data and its input column.", nameof(options));
        return GenerateCore(catalog.Context, model, o, data: null);
    }

    /// <summary>
    /// Samples from <paramref name="model"/> in any <see cref="VaeGenerationMode"/>; the posterior modes use the
    /// encodings of <paramref name="inputColumnName"/> in <paramref name="data"/> (at most <see cref="VaeGenerationOptions.MaxDataRows"/> rows).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The input column is missing or not a float vector of the model's sample size.</exception>
    public static IDataView Generate(this VaeCatalog catalog, IVaeModel model, IDataView data, string inputColumnName, VaeGenerationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var o = Checked(options);
        Tensor? x = null;
        try
        {
            if (o.Mode != VaeGenerationMode.Prior)
                x = DataTensors.Read(data, inputColumnName, model, o.InputScale, o.MaxDataRows, "VAE generator").DetachFromDisposeScope();
            return GenerateCore(catalog.Context, model, o, x);
        }
        finally
        {
            x?.Dispose();
        }
    }

    private static VaeGenerationOptions Checked(VaeGenerationOptions? options)
    {
        var o = options?.Clone() ?? new VaeGenerationOptions();
        o.Validate();
        return o;
    }

    private static IDataView GenerateCore(MLContext mlContext, IVaeModel model, VaeGenerationOptions o, Tensor? data)
    {
        long seed = ContextSeed.Resolve(mlContext, o.Seed);
        float[] images, latents, scores;
        lock (Gate)
        {
            using var seeded = new SeededGenerators(seed);
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            model.SetTraining(false);
            Tensor z, samples, score;
            switch (o.Mode)
            {
                case VaeGenerationMode.Prior:
                    z = model.Prior.Sample(o.Count);
                    var parts = new List<Tensor>();
                    for (long start = 0; start < o.Count; start += o.BatchSize)
                        parts.Add(model.Observation.ToData(model.Decode(z.narrow(0, start, Math.Min(o.BatchSize, o.Count - start)))));
                    samples = torch.cat(parts, 0);
                    score = model.Prior.LogProb(z);
                    break;
                case VaeGenerationMode.LowPosterior:
                    var low = LowPosteriorSampler.Generate(model, data!, o.Count, o.LowPosterior, seed);
                    (z, samples, score) = (low.Latents, low.Samples, low.Scores);
                    break;
                default:
                    var high = HighPosteriorSampler.Generate(model, data!, o.Count, o.HighPosterior, seed);
                    (z, samples, score) = (high.Latents, high.Samples, high.Scores);
                    break;
            }
            images = ToFloats(OutputImages.ToOutput(samples.cpu(), o.OutputScale, o.ExpandGrayscaleToRgb));
            latents = ToFloats(z);
            scores = ToFloats(score);
        }
        return ToDataView(mlContext, model, o, images, latents, scores);
    }

    /// <summary>The values of <paramref name="t"/> as float32, row-major (a copy on the CPU).</summary>
    private static float[] ToFloats(Tensor t) => t.to(ScalarType.Float32, torch.CPU).contiguous().data<float>().ToArray();

    private static IDataView ToDataView(MLContext mlContext, IVaeModel model, VaeGenerationOptions o, float[] images, float[] latents, float[] scores)
    {
        int n = scores.Length;
        int imageSize = images.Length / n, latentSize = latents.Length / n;
        var rows = new VaeGeneratedSample[n];
        for (int i = 0; i < n; i++)
            rows[i] = new VaeGeneratedSample
            {
                Image = images.AsSpan(i * imageSize, imageSize).ToArray(),
                Latent = latents.AsSpan(i * latentSize, latentSize).ToArray(),
                Score = scores[i],
            };
        // The vector sizes are known only now; a generated data view is never saved, so a run-time schema is enough.
        var definition = SchemaDefinition.Create(typeof(VaeGeneratedSample));
        foreach (var column in definition)
        {
            switch (column.MemberName)
            {
                case nameof(VaeGeneratedSample.Image):
                    column.ColumnName = o.ImageColumnName;
                    column.ColumnType = new VectorDataViewType(NumberDataViewType.Single, OutputImages.OutputDimensions(model.SampleShape, o.ExpandGrayscaleToRgb));
                    break;
                case nameof(VaeGeneratedSample.Latent):
                    column.ColumnName = o.LatentColumnName;
                    column.ColumnType = new VectorDataViewType(NumberDataViewType.Single, latentSize);
                    break;
                case nameof(VaeGeneratedSample.Score):
                    column.ColumnName = o.ScoreColumnName;
                    break;
            }
        }
        return mlContext.Data.LoadFromEnumerable(rows, definition);
    }
}
