using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;
using Microsoft.ML.Vae;

namespace FashionMnistFeaturizer;

/// <summary>
/// The featurizer's VAE as a generator: 64 images drawn from its prior, tiled into one 8 × 8 grid and written as
/// a PNG through ImageAnalytics' ConvertToImage.
/// </summary>
public static class GeneratedGrid
{
    private const int Side = 8, ImageSize = 28, Planes = 3, GridSize = Side * ImageSize;

    /// <summary>Writes the grid to <paramref name="path"/>.</summary>
    public static void Write(MLContext mlContext, ITransformer model, string path)
    {
        var vae = VaeModelFile.FindTransformers(model).OfType<VaeFeaturizerTransformer>().Single().Model;
        var samples = mlContext.Data.CreateEnumerable<VaeGeneratedSample>(
            mlContext.Vae().Generate(vae, new VaeGenerationOptions { Count = Side * Side, Seed = 1 }), reuseRowObject: false).ToList();

        // Each sample is planar [3, 28, 28] in 0–255; the grid is planar [3, 224, 224].
        var grid = new float[Planes * GridSize * GridSize];
        for (int s = 0; s < samples.Count; s++)
        {
            int top = s / Side * ImageSize, left = s % Side * ImageSize;
            for (int p = 0; p < Planes; p++)
                for (int y = 0; y < ImageSize; y++)
                    Array.Copy(samples[s].Image, (p * ImageSize + y) * ImageSize, grid, (p * GridSize + top + y) * GridSize + left, ImageSize);
        }

        var rows = mlContext.Data.LoadFromEnumerable([new GridRow { Pixels = grid }]);
        var pictures = mlContext.Transforms.ConvertToImage(GridSize, GridSize, "Picture", "Pixels").Fit(rows).Transform(rows);
        using var picture = mlContext.Data.CreateEnumerable<PictureRow>(pictures, reuseRowObject: false).Single().Picture;
        picture.Save(path);
        Console.WriteLine($"Wrote {Side * Side} generated images to {path}.");
    }

    private sealed class GridRow
    {
        [VectorType(Planes * GridSize * GridSize)]
        public float[] Pixels { get; set; } = [];
    }

    private sealed class PictureRow
    {
        [ImageType(GridSize, GridSize)]
        public MLImage Picture { get; set; } = null!;
    }
}
