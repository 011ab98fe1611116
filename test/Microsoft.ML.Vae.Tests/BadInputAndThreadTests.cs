using Microsoft.ML;

namespace Microsoft.ML.Vae.Tests;

[TestClass]
public sealed class BadInputAndThreadTests
{
    public TestContext TestContext { get; set; } = null!;

    private sealed class Scored
    {
        public float[] Features { get; set; } = [];
        public uint PredictedLabel { get; set; }
    }

    [TestMethod]
    public void NanFeaturesAreRejectedAtFitNamingTheRow()
    {
        var mlContext = new MLContext(seed: 1);
        var rows = FashionMnistRows.Load(train: true, 100);
        rows[7].Pixels[3] = float.NaN;
        var ex = Assert.ThrowsExactly<ArgumentException>(() =>
            mlContext.Vae().Vae("F", "Pixels", iterations: 5).Fit(mlContext.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(ex.Message, "Row 7 of column 'Pixels' holds NaN or infinity");
    }

    [TestMethod]
    public void AnEmptyDataViewIsRejectedAtFit()
    {
        var mlContext = new MLContext(seed: 1);
        var empty = mlContext.Data.LoadFromEnumerable(Array.Empty<FashionMnistRow>());
        var ex = Assert.ThrowsExactly<ArgumentException>(() => mlContext.Vae().Vae("F", "Pixels", iterations: 5).Fit(empty));
        StringAssert.Contains(ex.Message, "'Pixels' has no rows");
    }

    [TestMethod]
    public void EightThreadsWithTheirOwnPredictionEnginesMatchOneThread()
    {
        var f = SharedFeaturizer.Value;
        var path = Path.Combine(TestContext.TestRunResultsDirectory ?? Path.GetTempPath(), $"{Guid.NewGuid():N}-threads.zip");
        f.Context.Model.Save(f.Model, f.Train.Schema, path);
        var mlContext = new MLContext();
        var model = mlContext.Model.Load(path, out _);
        var rows = FashionMnistRows.Load(train: false, 16);

        var engine = mlContext.Model.CreatePredictionEngine<FashionMnistRow, Scored>(model);
        var expected = rows.Select(r => engine.Predict(r)).Select(p => (p.Features.ToArray(), p.PredictedLabel)).ToArray();

        var results = new (float[] Features, uint Label)[8][];
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            var own = mlContext.Model.CreatePredictionEngine<FashionMnistRow, Scored>(model);
            // Each thread walks the rows in its own order, so the threads interleave differently.
            results[t] = new (float[], uint)[rows.Length];
            for (int k = 0; k < rows.Length; k++)
            {
                int i = (k * (2 * t + 1)) % rows.Length;
                var p = own.Predict(rows[i]);
                results[t][i] = (p.Features.ToArray(), p.PredictedLabel);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        for (int t = 0; t < 8; t++)
            for (int i = 0; i < rows.Length; i++)
            {
                CollectionAssert.AreEqual(expected[i].Item1, results[t][i].Features, $"Thread {t}, row {i}.");
                Assert.AreEqual(expected[i].Item2, results[t][i].Label, $"Thread {t}, row {i}.");
            }
    }
}
