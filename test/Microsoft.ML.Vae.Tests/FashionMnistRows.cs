using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Vae.Core.Data;

namespace Microsoft.ML.Vae.Tests;

/// <summary>One Fashion-MNIST image as ML.NET sees it: 784 raw pixel values 0–255 and the class index.</summary>
public sealed class FashionMnistRow
{
    /// <summary>Pixels, row-major, 0–255.</summary>
    [VectorType(784)]
    public float[] Pixels { get; set; } = [];

    /// <summary>Class index 0–9.</summary>
    public uint Label { get; set; }
}

/// <summary>Loads subsets of Fashion-MNIST as ML.NET data views (or marks the test inconclusive when the data set is not installed).</summary>
internal static class FashionMnistRows
{
    /// <summary>The first <paramref name="count"/> rows of the training or test split.</summary>
    public static FashionMnistRow[] Load(bool train, int count)
    {
        if (!FashionMnist.IsAvailable())
            Assert.Inconclusive($"Fashion-MNIST is not installed (looked in {FashionMnist.Directory}); run eng/setup.sh.");
        using var data = train ? FashionMnist.LoadTrain(count) : FashionMnist.LoadTest(count);
        var pixels = data.Features.data<float>().ToArray();
        var labels = data.Labels!.data<long>().ToArray();
        var rows = new FashionMnistRow[labels.Length];
        for (int i = 0; i < rows.Length; i++)
        {
            var p = new float[784];
            // The core loads [0, 1]; ML.NET pipelines see the raw bytes.
            for (int j = 0; j < 784; j++) p[j] = MathF.Round(pixels[i * 784 + j] * 255f);
            rows[i] = new FashionMnistRow { Pixels = p, Label = (uint)labels[i] };
        }
        return rows;
    }

    /// <summary>The rows as a data view of <paramref name="mlContext"/>.</summary>
    public static IDataView View(MLContext mlContext, bool train, int count) => mlContext.Data.LoadFromEnumerable(Load(train, count));
}
