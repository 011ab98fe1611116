using System.Globalization;
using System.Xml.Linq;
using Microsoft.ML.Vae.Core.Imaging;

namespace Microsoft.ML.Vae.Core.Tests;

[TestClass]
public sealed class ImagingLossCurveTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static IReadOnlyList<(long Step, double Value)> Curve(int n, Func<int, double> f) =>
        Enumerable.Range(0, n).Select(i => ((long)(i * 10), f(i))).ToArray();

    [TestMethod]
    public void SvgIsWellFormedWithOneLinePerSeriesAndEscapedNames()
    {
        using var files = new DataTestFiles();
        var path = files.PathOf("plots", "loss.svg");
        var series = new List<(string Name, IReadOnlyList<(long Step, double Value)> Points)>
        {
            ("loss <rec> & kl", Curve(50, i => 3.0 - i * 0.01)),
            ("\"kl\"", Curve(50, i => 1.5 + Math.Sin(i))),
        };
        LossCurve.SaveSvg(path, series, "S-IntroVAE <2-D> & friends");

        var doc = XDocument.Load(path);
        Assert.AreEqual(Svg + "svg", doc.Root!.Name);
        Assert.AreEqual(2, doc.Descendants(Svg + "polyline").Count());
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        CollectionAssert.Contains(texts, "loss <rec> & kl");
        CollectionAssert.Contains(texts, "\"kl\"");
        CollectionAssert.Contains(texts, "S-IntroVAE <2-D> & friends");
        Assert.IsFalse(texts.Any(t => t.Contains("log scale")), "values within two decades stay linear");
    }

    [TestMethod]
    public void NumbersUseTheInvariantCulture()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            var svg = LossCurve.ToSvg([("a", Curve(20, i => 0.123 + i * 0.5))], "t");
            var doc = XDocument.Parse(svg);
            foreach (var line in doc.Descendants(Svg + "polyline"))
                foreach (var pair in line.Attribute("points")!.Value.Split(' '))
                {
                    var xy = pair.Split(',');
                    Assert.AreEqual(2, xy.Length, pair);
                    Assert.IsTrue(double.TryParse(xy[0], NumberStyles.Float, CultureInfo.InvariantCulture, out _), pair);
                    Assert.IsTrue(double.TryParse(xy[1], NumberStyles.Float, CultureInfo.InvariantCulture, out _), pair);
                }
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [TestMethod]
    public void WideRangesSwitchToALogAxisWithDecadeTicks()
    {
        var svg = LossCurve.ToSvg([("loss", Curve(100, i => 1000 * Math.Pow(0.9, i)))], "decay");
        var doc = XDocument.Parse(svg);
        var texts = doc.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.IsTrue(texts.Any(t => t.Contains("log scale")));
        CollectionAssert.Contains(texts, "1000");
        CollectionAssert.Contains(texts, "0.01");

        var forcedLinear = XDocument.Parse(LossCurve.ToSvg([("loss", Curve(100, i => 1000 * Math.Pow(0.9, i)))], "decay",
            new LossCurveOptions { YScale = AxisScale.Linear }));
        Assert.IsFalse(forcedLinear.Descendants(Svg + "text").Any(t => t.Value.Contains("log scale")));
    }

    [TestMethod]
    public void NonFiniteValuesLeaveGapsAndEmptyInputStillDraws()
    {
        var points = Curve(30, i => i == 15 ? double.NaN : i);
        var doc = XDocument.Parse(LossCurve.ToSvg([("x", points)], "gap"));
        Assert.AreEqual(2, doc.Descendants(Svg + "polyline").Count());

        var empty = XDocument.Parse(LossCurve.ToSvg([], "nothing"));
        Assert.IsTrue(empty.Descendants(Svg + "text").Any(t => t.Value == "no data"));
    }

    [TestMethod]
    public void LongSeriesAreThinnedButKeepTheirExtremes()
    {
        var points = Curve(100_000, i => i == 55_555 ? 50.0 : Math.Cos(i * 0.001));
        var doc = XDocument.Parse(LossCurve.ToSvg([("long", points)], "long", new LossCurveOptions { YScale = AxisScale.Linear }));
        var pairs = doc.Descendants(Svg + "polyline").Single().Attribute("points")!.Value.Split(' ');
        Assert.IsTrue(pairs.Length < 5000, $"{pairs.Length} points drawn");
        double minY = pairs.Min(p => double.Parse(p.Split(',')[1], CultureInfo.InvariantCulture));
        // Values in [−1, 1] sit low on a scale that reaches 50; only the kept spike is drawn high up.
        Assert.IsTrue(minY < 150, $"highest drawn point at y = {minY}");
    }
}
