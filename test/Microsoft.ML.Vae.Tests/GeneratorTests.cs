using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Vae.Tests;

[TestClass]
public sealed class GeneratorTests
{
    [TestMethod]
    public void PriorSamplesHaveTheDeclaredShapeAndPixelRange()
    {
        var f = SharedFeaturizer.Value;
        var samples = f.Context.Vae().Generate(f.Vae, new VaeGenerationOptions { Count = 8, Seed = 5 });

        var image = (VectorDataViewType)samples.Schema["Image"].Type;
        CollectionAssert.AreEqual(new[] { 3, 28, 28 }, image.Dimensions.ToArray());
        Assert.AreEqual(3 * 28 * 28, image.Size);
        Assert.AreEqual(SharedFeaturizer.LatentDim, ((VectorDataViewType)samples.Schema["Latent"].Type).Size);

        var rows = f.Context.Data.CreateEnumerable<VaeGeneratedSample>(samples, reuseRowObject: false).ToArray();
        Assert.HasCount(8, rows);
        foreach (var row in rows)
        {
            Assert.IsTrue(row.Image.All(v => v is >= 0 and <= 255), "Pixel values must lie in [0, 255].");
            // The gray plane is repeated into red, green and blue.
            CollectionAssert.AreEqual(row.Image.AsSpan(0, 784).ToArray(), row.Image.AsSpan(784, 784).ToArray());
            Assert.IsTrue(float.IsFinite(row.Score), "The prior log-density must be finite.");
        }
    }

    [TestMethod]
    public void TheSameSeedGivesTheSameSamplesAndAnotherSeedOthers()
    {
        var f = SharedFeaturizer.Value;
        float[] Draw(long seed) => f.Context.Vae().Generate(f.Vae, new VaeGenerationOptions { Count = 4, Seed = seed })
            .GetColumn<float[]>("Latent").SelectMany(v => v).ToArray();
        CollectionAssert.AreEqual(Draw(7), Draw(7));
        CollectionAssert.AreNotEqual(Draw(7), Draw(8));
    }

    [TestMethod]
    [DataRow(VaeGenerationMode.LowPosterior)]
    [DataRow(VaeGenerationMode.HighPosterior)]
    public void PosteriorSamplesComeFromTheDataColumn(VaeGenerationMode mode)
    {
        var f = SharedFeaturizer.Value;
        var options = new VaeGenerationOptions { Count = 6, Mode = mode, Seed = 3, MaxDataRows = 300 };
        var samples = f.Context.Vae().Generate(f.Vae, f.Test, "Pixels", options);
        var scores = samples.GetColumn<float>("Score").ToArray();
        Assert.HasCount(6, scores);
        Assert.IsTrue(scores.All(float.IsFinite));
        Assert.AreEqual(3 * 28 * 28, ((VectorDataViewType)samples.Schema["Image"].Type).Size);
    }

    [TestMethod]
    public void PosteriorModesWithoutDataAreRejected()
    {
        var f = SharedFeaturizer.Value;
        var ex = Assert.ThrowsExactly<ArgumentException>(() =>
            f.Context.Vae().Generate(f.Vae, new VaeGenerationOptions { Mode = VaeGenerationMode.LowPosterior }));
        StringAssert.Contains(ex.Message, "data");
    }

    [TestMethod]
    public void GrayscaleOutputKeepsOnePlaneWhenAsked()
    {
        var f = SharedFeaturizer.Value;
        var samples = f.Context.Vae().Generate(f.Vae, new VaeGenerationOptions { Count = 2, Seed = 1, ExpandGrayscaleToRgb = false });
        CollectionAssert.AreEqual(new[] { 1, 28, 28 }, ((VectorDataViewType)samples.Schema["Image"].Type).Dimensions.ToArray());
    }

    [TestMethod]
    public void ConvertToImageAcceptsGeneratedSamples()
    {
        var f = SharedFeaturizer.Value;
        var samples = f.Context.Vae().Generate(f.Vae, new VaeGenerationOptions { Count = 2, Seed = 1 });
        var images = f.Context.Transforms.ConvertToImage(28, 28, "Picture", "Image").Fit(samples).Transform(samples);
        var type = (ImageDataViewType)images.Schema["Picture"].Type;
        Assert.AreEqual(28, type.Height);
        Assert.AreEqual(28, type.Width);
        foreach (var image in images.GetColumn<MLImage>("Picture"))
            using (image)
                Assert.AreEqual(28, image.Width);
    }
}
