using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Vae.Tests;

/// <summary>
/// An image folder through ImageAnalytics and the VAE: PNG files → LoadImages → ResizeImages → ExtractPixels →
/// featurizer → trainer; reconstructions and generated samples → ConvertToImage → PNG files whose pixels are
/// the tensors' values.
/// </summary>
[TestClass]
public sealed class ImageAnalyticsEndToEndTests
{
    private const int Rows = 300;

    public TestContext TestContext { get; set; } = null!;

    private sealed class ImageFile
    {
        public string ImagePath { get; set; } = "";
        public uint Label { get; set; }
    }

    [TestMethod]
    public void AnImageFolderTrainsAFeaturizerAndAClassifierAndWritesMatchingPngs()
    {
        var folder = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}-images");
        Directory.CreateDirectory(folder);
        var source = FashionMnistRows.Load(train: true, Rows);
        var files = new List<ImageFile>();
        for (int i = 0; i < source.Length; i++)
        {
            var name = $"{i:D4}.png";
            WriteGrayPng(Path.Combine(folder, name), source[i].Pixels, 28, 28);
            files.Add(new ImageFile { ImagePath = name, Label = source[i].Label });
        }

        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(files);
        var pipeline = mlContext.Transforms.LoadImages("Image", folder, "ImagePath")
            .Append(mlContext.Transforms.ResizeImages("Image", 28, 28))
            .Append(mlContext.Transforms.ExtractPixels("Pixels", "Image", colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Red))
            .Append(mlContext.Transforms.FeaturizeWithVae("Features", "Pixels", latentDim: 8, iterations: 100))
            .Append(mlContext.Transforms.Conversion.MapValueToKey("Label"))
            .AppendCacheCheckpoint(mlContext)
            .Append(mlContext.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Features"));
        var model = pipeline.Fit(data);
        var scored = model.Transform(data);

        // The pixels that reached the VAE are the PNGs' pixels.
        var pixels = scored.GetColumn<float[]>("Pixels").First();
        CollectionAssert.AreEqual(source[0].Pixels, pixels, "ExtractPixels must return the written gray values.");
        var metrics = mlContext.MulticlassClassification.Evaluate(scored, "Label");
        Assert.IsGreaterThan(0.3, metrics.MicroAccuracy, $"Training accuracy {metrics.MicroAccuracy:F3} (chance 0.1).");
        var featurizer = ((IEnumerable<ITransformer>)model).OfType<VaeFeaturizerTransformer>().Single();
        CollectionAssert.AreEqual(new long[] { 1, 28, 28 }, featurizer.Model.SampleShape.ToArray(), "ExtractPixels gives [1, 28, 28].");

        // Reconstructions through ConvertToImage to PNG files.
        var withPixels = model.Transform(mlContext.Data.TakeRows(data, 4));
        var reconstructed = mlContext.Transforms.ReconstructWithVae("Reconstruction", "Pixels", featurizer.Model)
            .Append(mlContext.Transforms.ConvertToImage(28, 28, "Picture", "Reconstruction"))
            .Fit(withPixels).Transform(withPixels);
        CheckPngsMatch(folder, "reconstruction", reconstructed, "Reconstruction");

        // Generated samples through ConvertToImage to PNG files.
        var samples = mlContext.Vae().Generate(featurizer.Model, new VaeGenerationOptions { Count = 4, Seed = 3 });
        var pictures = mlContext.Transforms.ConvertToImage(28, 28, "Picture", "Image").Fit(samples).Transform(samples);
        CheckPngsMatch(folder, "sample", pictures, "Image");
    }

    private static void CheckPngsMatch(string folder, string prefix, IDataView view, string valuesColumn)
    {
        var values = view.GetColumn<float[]>(valuesColumn).ToArray();
        var images = view.GetColumn<MLImage>("Picture").ToArray();
        Assert.HasCount(values.Length, images);
        for (int i = 0; i < images.Length; i++)
        {
            var path = Path.Combine(folder, $"{prefix}-{i}.png");
            using (images[i]) images[i].Save(path);
            using var reread = MLImage.CreateFromFile(path);
            var bgr = reread.GetBGRPixels;
            Assert.AreEqual(28 * 28 * 3, bgr.Length);
            for (int p = 0; p < 28 * 28; p++)
                for (int c = 0; c < 3; c++)
                {
                    // Planar R, G, B values in 0–255; the PNG holds B, G, R per pixel.
                    float expected = values[i][c * 28 * 28 + p];
                    byte actual = bgr[p * 3 + (2 - c)];
                    Assert.IsLessThanOrEqualTo(1.0f, Math.Abs(expected - actual), $"{prefix} {i}, pixel {p}, plane {c}: {expected} vs {actual}.");
                }
        }
    }

    private static void WriteGrayPng(string path, float[] gray, int width, int height)
    {
        var bgra = new byte[width * height * 4];
        for (int p = 0; p < width * height; p++)
        {
            byte v = (byte)gray[p];
            (bgra[4 * p], bgra[4 * p + 1], bgra[4 * p + 2], bgra[4 * p + 3]) = (v, v, v, 255);
        }
        using var image = MLImage.CreateFromPixels(width, height, MLPixelFormat.Bgra32, bgra);
        image.Save(path);
    }
}
