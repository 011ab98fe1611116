using Microsoft.ML.Vae.Core.Data;

namespace FashionMnistFeaturizer;

/// <summary>Reads Fashion-MNIST (installed by eng/setup.sh, or in VAE_FASHION_MNIST_DIR) as <see cref="ModelInput"/> rows.</summary>
public static class FashionMnistData
{
    /// <summary>The first <paramref name="count"/> images of the training or test split.</summary>
    public static IReadOnlyList<ModelInput> Load(bool train, int count)
    {
        using var data = train ? FashionMnist.LoadTrain(count) : FashionMnist.LoadTest(count);
        var pixels = data.Features.data<float>().ToArray();
        var labels = data.Labels!.data<long>().ToArray();
        var rows = new ModelInput[labels.Length];
        for (int i = 0; i < rows.Length; i++)
            rows[i] = new ModelInput
            {
                // The core reader scales pixels to [0, 1]; an ML.NET pipeline usually sees the raw 0–255 values.
                Pixels = pixels.AsSpan(i * 784, 784).ToArray().Select(p => MathF.Round(p * 255)).ToArray(),
                Label = FashionMnist.ClassNames[(int)labels[i]],
            };
        return rows;
    }
}
