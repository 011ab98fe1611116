using System.Globalization;
using System.Text;
using Microsoft.ML.Vae.Core.Training;

namespace Microsoft.ML.Vae.Core.Tests;

/// <summary>TrainingHistory: rows, merging, and CSV that round-trips in any culture.</summary>
[TestClass]
public sealed class TrainingHistoryTests
{
    [TestMethod]
    public void CsvRoundTripsExactlyWhateverTheCulture()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            var h = new TrainingHistory();
            h.Add(10, new Dictionary<string, double> { ["loss"] = 0.1 + 0.2, ["kl"] = 1e-300 });
            h.Add(20, new Dictionary<string, double> { ["loss"] = double.NaN, ["fid, \"train\""] = double.PositiveInfinity });
            h.Add(20, new Dictionary<string, double> { ["kl"] = -2.5 });

            var csv = h.ToCsv();
            Assert.AreEqual("step,loss,kl,\"fid, \"\"train\"\"\"\n10,0.30000000000000004,1E-300,\n20,NaN,-2.5,Infinity\n", csv);
            var back = TrainingHistory.FromCsv(csv);
            CollectionAssert.AreEqual(h.Columns.ToArray(), back.Columns.ToArray());
            Assert.AreEqual(2, back.Count);
            Assert.AreEqual(0.1 + 0.2, back.Rows[0].Values["loss"]);
            Assert.AreEqual(1e-300, back.Rows[0].Values["kl"]);
            Assert.IsFalse(back.Rows[0].Values.ContainsKey("fid, \"train\""));
            Assert.IsTrue(double.IsNaN(back.Rows[1].Values["loss"]));
            Assert.AreEqual(double.PositiveInfinity, back.Rows[1].Values["fid, \"train\""]);
            Assert.AreEqual(csv, back.ToCsv());
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [TestMethod]
    public void SeriesSkipsRowsWithoutTheName()
    {
        var h = new TrainingHistory();
        h.Add(1, new Dictionary<string, double> { ["loss"] = 3 });
        h.Add(2, new Dictionary<string, double> { ["fid"] = 9 });
        h.Add(3, new Dictionary<string, double> { ["loss"] = 1 });
        CollectionAssert.AreEqual(new[] { (1L, 3.0), (3L, 1.0) }, h.Series("loss").ToArray());
    }

    [TestMethod]
    public void BadRowsAreRejected()
    {
        var h = new TrainingHistory();
        h.Add(5, new Dictionary<string, double> { ["loss"] = 1 });
        Assert.ThrowsExactly<ArgumentException>(() => h.Add(4, new Dictionary<string, double> { ["loss"] = 1 }));
        Assert.ThrowsExactly<ArgumentException>(() => h.Add(6, new Dictionary<string, double> { ["step"] = 1 }));
        Assert.ThrowsExactly<ArgumentException>(() => h.Add(6, new Dictionary<string, double> { ["a\nb"] = 1 }));
    }

    [TestMethod]
    [DataRow("", "empty")]
    [DataRow("loss,step\n", "must start with a 'step' column")]
    [DataRow("step,loss\n1,2,3\n", "Line 2 of the history CSV has 3 cells")]
    [DataRow("step,loss\n1,abc\n", "Line 2 of the history CSV has a non-numeric value 'abc' for 'loss'")]
    [DataRow("step,loss\n2,1\n1,1\n", "Line 3 of the history CSV has step 1, not after the previous step 2")]
    [DataRow("step,loss\n-1,1\n", "invalid step '-1'")]
    [DataRow("step,loss,loss\n", "repeats a column name")]
    [DataRow("step,\"loss\n", "unterminated quoted cell")]
    public void MalformedCsvIsAClearError(string csv, string expected)
    {
        var ex = Assert.ThrowsExactly<InvalidDataException>(() => TrainingHistory.ReadCsv(new MemoryStream(Encoding.UTF8.GetBytes(csv))));
        StringAssert.Contains(ex.Message, expected);
    }
}
