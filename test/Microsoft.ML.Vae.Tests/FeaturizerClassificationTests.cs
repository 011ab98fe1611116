using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;

namespace Microsoft.ML.Vae.Tests;

[TestClass]
public sealed class FeaturizerClassificationTests
{
    // A linear probe on the same latents (core library, same data and training) measures about 0.70;
    // SDCA on normalized latents should come close. Chance is 0.10.
    private const double MinimumAccuracy = 0.60;

    [TestMethod]
    public void SdcaMaximumEntropyOnVaeLatentsReachesStatedAccuracy()
    {
        var f = SharedFeaturizer.Value;
        var scored = f.Model.Transform(f.Test);
        var metrics = f.Context.MulticlassClassification.Evaluate(scored, "Label");
        Assert.IsGreaterThanOrEqualTo(MinimumAccuracy, metrics.MicroAccuracy,
            $"Micro accuracy {metrics.MicroAccuracy:F3} on {SharedFeaturizer.TestRows} test images.");
    }

    [TestMethod]
    public void LatentColumnsHaveTheDeclaredVectorSize()
    {
        var f = SharedFeaturizer.Value;
        var schema = f.Model.GetOutputSchema(f.Test.Schema);
        foreach (var name in new[] { "Features", "LogVariance" })
        {
            var type = schema[name].Type as VectorDataViewType;
            Assert.IsNotNull(type, $"{name} is not a vector column.");
            Assert.AreEqual(NumberDataViewType.Single, type.ItemType);
            Assert.AreEqual(SharedFeaturizer.LatentDim, type.Size);
        }
        Assert.IsNull(schema.GetColumnOrNull("Microsoft.ML.Vae.Input"), "The temporary input column must be dropped.");
    }

    [TestMethod]
    public void EstimatorSchemaPropagationPromisesAKnownSizeVector()
    {
        var mlContext = new MLContext(seed: 1);
        var estimator = mlContext.Vae().DpVae("Features", "Pixels", SharedFeaturizer.Options());
        var shape = estimator.GetOutputSchema(FashionMnistShape(mlContext));
        var column = shape.Single(c => c.Name == "Features");
        Assert.AreEqual(SchemaShape.Column.VectorKind.Vector, column.Kind);
        Assert.AreEqual(NumberDataViewType.Single, column.ItemType);
    }

    [TestMethod]
    public void LatentsAreTheModelsPosteriorMeans()
    {
        var f = SharedFeaturizer.Value;
        var rows = FashionMnistRows.Load(train: false, 3);
        var latents = f.Featurizer.Transform(f.Context.Data.LoadFromEnumerable(rows)).GetColumn<float[]>("Features").ToArray();
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(rows.SelectMany(r => r.Pixels).Select(p => p / 255f).ToArray(), [3, 1, 28, 28]);
        var expected = f.Vae.Encode(x).Mean.data<float>().ToArray();
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < SharedFeaturizer.LatentDim; j++)
                Assert.AreEqual(expected[i * SharedFeaturizer.LatentDim + j], latents[i][j], 1e-4f, $"Row {i}, latent {j}.");
    }

    /// <summary>
    /// The schema shape of <see cref="FashionMnistRow"/> data. SchemaShape.Create is internal, so the shape is taken
    /// from a custom mapping that reads no columns and produces a FashionMnistRow.
    /// </summary>
    internal static SchemaShape FashionMnistShape(MLContext mlContext) =>
        mlContext.Transforms.CustomMapping<NoColumns, FashionMnistRow>((_, _) => { }, contractName: null)
            .GetOutputSchema(new SchemaShape(Enumerable.Empty<SchemaShape.Column>()));

    /// <summary>An input row type without columns.</summary>
    public sealed class NoColumns
    {
    }
}
