using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Vae.Tests;

[TestClass]
public sealed class SchemaErrorTests
{
    private sealed class ScalarRow
    {
        public float Pixels { get; set; }
    }

    private sealed class ByteRow
    {
        [VectorType(784)]
        public byte[] Pixels { get; set; } = new byte[784];
    }

    private sealed class ShortRow
    {
        [VectorType(10)]
        public float[] Pixels { get; set; } = new float[10];
    }

    private static IEstimator<ITransformer> Featurizer(MLContext mlContext) =>
        mlContext.Vae().DpVae("Features", "Pixels", SharedFeaturizer.Options());

    [TestMethod]
    public void AMissingInputColumnIsNamedAtFitAndInSchemaPropagation()
    {
        var mlContext = new MLContext(seed: 1);
        var estimator = mlContext.Vae().DpVae("Features", "Image", SharedFeaturizer.Options());
        var data = mlContext.Data.LoadFromEnumerable(new[] { new FashionMnistRow { Pixels = new float[784] } });

        var atFit = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        StringAssert.Contains(atFit.Message, "'Image' was not found");
        StringAssert.Contains(atFit.Message, "'Pixels'");
        var atSchema = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            estimator.GetOutputSchema(FeaturizerClassificationTests.FashionMnistShape(mlContext)));
        StringAssert.Contains(atSchema.Message, "'Image' was not found");
    }

    [TestMethod]
    public void AScalarInputColumnIsRejected()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[] { new ScalarRow() });
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Featurizer(mlContext).Fit(data));
        StringAssert.Contains(ex.Message, "must be a vector of Single");
    }

    [TestMethod]
    public void AByteVectorInputColumnIsRejectedWithAConversionHint()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[] { new ByteRow() });
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Featurizer(mlContext).Fit(data));
        StringAssert.Contains(ex.Message, "ConvertType");
    }

    [TestMethod]
    public void AVectorOfTheWrongSizeIsRejectedBeforeTraining()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[] { new ShortRow() });
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Featurizer(mlContext).Fit(data));
        StringAssert.Contains(ex.Message, "10 values");
        StringAssert.Contains(ex.Message, "784");
    }

    [TestMethod]
    public void ALatentSizeOutsideTheMenuIsRejectedAtFitBeforeTraining()
    {
        var mlContext = new MLContext(seed: 1);
        var data = mlContext.Data.LoadFromEnumerable(new[] { new FashionMnistRow { Pixels = new float[784] } });
        var estimator = mlContext.Vae().DpVae("Features", "Pixels", SharedFeaturizer.Options(latentDim: 10));
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => estimator.Fit(data));
        StringAssert.Contains(ex.Message, "2, 4, 8, 16, 32, 64, 128, 256, 512");
        StringAssert.Contains(ex.Message, "not 10");
    }

    [TestMethod]
    public void ReservedOrEmptyColumnNamesAreRejected()
    {
        var mlContext = new MLContext(seed: 1);
        Assert.ThrowsExactly<ArgumentException>(() => mlContext.Vae().DpVae("Microsoft.ML.Vae.Input", "Pixels", SharedFeaturizer.Options()));
        Assert.ThrowsExactly<ArgumentException>(() => mlContext.Vae().DpVae("", "Pixels", SharedFeaturizer.Options()));
        Assert.ThrowsExactly<ArgumentException>(() => mlContext.Vae().DpVae("Features", "Pixels", SharedFeaturizer.Options(),
            new VaeFeaturizerOptions { LogVarianceColumnName = "Features" }));
    }

    [TestMethod]
    public void AFittedTransformerNamesAMissingColumnAtTransform()
    {
        var f = SharedFeaturizer.Value;
        var other = f.Context.Data.LoadFromEnumerable(new[] { new ScalarRow() });
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Featurizer.Transform(other));
        StringAssert.Contains(ex.Message, "must be a vector of Single");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => f.Featurizer.GetOutputSchema(other.Schema));
    }

    [TestMethod]
    public void AReconstructionOfAnUnofferedImageSizeIsRejected()
    {
        var mlContext = new MLContext(seed: 1);
        var options = SharedFeaturizer.Options();
        options.SampleShape = [1, 20, 20];
        using var model = new Core.Models.DpVae(options);
        var data = mlContext.Data.LoadFromEnumerable(new[] { new FashionMnistRow { Pixels = new float[784] } });
        var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Vae().Reconstruct("R", "Pixels", model).Fit(data));
        StringAssert.Contains(ex.Message, "[3, 20, 20]");
    }
}
