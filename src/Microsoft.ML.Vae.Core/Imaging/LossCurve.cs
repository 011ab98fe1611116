using System.Globalization;
using System.Text;
using System.Xml;

namespace Microsoft.ML.Vae.Core.Imaging;

/// <summary>
/// Draws training curves (one line per named series of (step, value) points) as a standalone
/// SVG: axes with round-number ticks, a legend, and a logarithmic value axis when the values
/// span more than two decades. Non-finite values leave gaps. Long series are thinned to the
/// minimum and maximum per horizontal pixel, which keeps the drawn shape.
/// </summary>
public static class LossCurve
{
    private const double MarginLeft = 72, MarginRight = 20, MarginTop = 40, MarginBottom = 52;

    /// <summary>Writes the chart to <paramref name="path"/> atomically (UTF-8 SVG; its folder is created when missing).</summary>
    public static void SaveSvg(string path, IReadOnlyList<(string Name, IReadOnlyList<(long Step, double Value)> Points)> series,
        string title, LossCurveOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var svg = ToSvg(series, title, options);
        Persistence.AtomicFile.WriteAllText(path, svg);
    }

    /// <summary>The chart as SVG text.</summary>
    public static string ToSvg(IReadOnlyList<(string Name, IReadOnlyList<(long Step, double Value)> Points)> series,
        string title, LossCurveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        options ??= new LossCurveOptions();
        if (options.Width < 200 || options.Height < 150)
            throw new ArgumentOutOfRangeException(nameof(options), $"{options.Width}×{options.Height}", "The chart needs at least 200×150 pixels.");
        foreach (var (name, points) in series)
            if (points is null) throw new ArgumentException($"Series '{name}' has no point list.", nameof(series));

        bool log = UseLog(series, options.YScale);
        var (xMin, xMax) = XExtent(series);
        var (yMin, yMax, yTicks) = log ? LogAxis(series) : LinearAxis(series);
        var xTicks = NiceTicks(xMin, xMax, 8, out xMin, out xMax);

        double plotW = options.Width - MarginLeft - MarginRight, plotH = options.Height - MarginTop - MarginBottom;
        double Px(double x) => MarginLeft + (x - xMin) / (xMax - xMin) * plotW;
        double Py(double y) => MarginTop + plotH - ((log ? Math.Log10(y) : y) - yMin) / (yMax - yMin) * plotH;

        var sb = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, OmitXmlDeclaration = false, Encoding = new UTF8Encoding(false) };
        using (var xw = XmlWriter.Create(new StringWriterUtf8(sb), settings))
        {
            const string ns = "http://www.w3.org/2000/svg";
            xw.WriteStartElement("svg", ns);
            Attr(xw, "width", options.Width);
            Attr(xw, "height", options.Height);
            xw.WriteAttributeString("viewBox", F($"0 0 {options.Width} {options.Height}"));
            xw.WriteAttributeString("font-family", "sans-serif");
            xw.WriteAttributeString("font-size", "12");

            Rect(xw, 0, 0, options.Width, options.Height, "#ffffff", null);
            Text(xw, options.Width / 2.0, 24, title ?? "", "middle", 16, "bold");

            // Grid lines and tick labels.
            foreach (var t in xTicks)
            {
                double x = Px(t);
                Line(xw, x, MarginTop, x, MarginTop + plotH, "#e5e5e5");
                Text(xw, x, MarginTop + plotH + 16, FormatTick(t), "middle");
            }
            foreach (var t in yTicks)
            {
                double y = MarginTop + plotH - (t - yMin) / (yMax - yMin) * plotH;
                Line(xw, MarginLeft, y, MarginLeft + plotW, y, "#e5e5e5");
                Text(xw, MarginLeft - 6, y + 4, log ? FormatPowerOfTen(t) : FormatTick(t), "end");
            }
            Rect(xw, MarginLeft, MarginTop, plotW, plotH, "none", "#333333");
            Text(xw, MarginLeft + plotW / 2, options.Height - 12, options.XLabel ?? "", "middle");
            string yLabel = (options.YLabel ?? "") + (log ? (string.IsNullOrEmpty(options.YLabel) ? "log scale" : " (log scale)") : "");
            if (yLabel.Length > 0)
            {
                xw.WriteStartElement("text", ns);
                xw.WriteAttributeString("transform", F($"translate(16,{MarginTop + plotH / 2:0.##}) rotate(-90)"));
                xw.WriteAttributeString("text-anchor", "middle");
                xw.WriteString(yLabel);
                xw.WriteEndElement();
            }

            // The lines, clipped to the plot area.
            xw.WriteStartElement("clipPath", ns);
            xw.WriteAttributeString("id", "plot-area");
            Rect(xw, MarginLeft, MarginTop, plotW, plotH, null, null);
            xw.WriteEndElement();
            xw.WriteStartElement("g", ns);
            xw.WriteAttributeString("clip-path", "url(#plot-area)");
            xw.WriteAttributeString("fill", "none");
            xw.WriteAttributeString("stroke-width", "1.5");
            xw.WriteAttributeString("stroke-linejoin", "round");
            for (int i = 0; i < series.Count; i++)
            {
                var color = Rgb.Categorical[i % Rgb.Categorical.Count].ToHex();
                foreach (var segment in Segments(series[i].Points, log))
                {
                    var pixels = Thin(segment.Select(p => (Px(p.Step), Py(p.Value))).ToList(), plotW);
                    if (pixels.Count == 1) pixels.Add((pixels[0].X + 0.01, pixels[0].Y));
                    xw.WriteStartElement("polyline", ns);
                    xw.WriteAttributeString("stroke", color);
                    xw.WriteAttributeString("points", string.Join(" ", pixels.Select(p => F($"{p.X:0.##},{p.Y:0.##}"))));
                    xw.WriteEndElement();
                }
            }
            xw.WriteEndElement();

            // Legend in the top-right corner of the plot.
            if (series.Count > 0)
            {
                double longest = series.Max(s => (s.Name ?? "").Length);
                double boxW = 34 + 7 * longest, boxH = 8 + 18 * series.Count;
                double bx = MarginLeft + plotW - boxW - 8, by = MarginTop + 8;
                Rect(xw, bx, by, boxW, boxH, "#ffffff", "#cccccc", opacity: 0.85);
                for (int i = 0; i < series.Count; i++)
                {
                    double y = by + 13 + 18 * i;
                    var color = Rgb.Categorical[i % Rgb.Categorical.Count].ToHex();
                    Line(xw, bx + 6, y, bx + 24, y, color, 2.5);
                    Text(xw, bx + 30, y + 4, series[i].Name ?? "", "start");
                }
            }
            if (series.All(s => !Segments(s.Points, log).Any()))
                Text(xw, MarginLeft + plotW / 2, MarginTop + plotH / 2, "no data", "middle", 14);
            xw.WriteEndElement();
        }
        return sb.ToString();
    }

    // ---- scales

    private static bool UseLog(IReadOnlyList<(string Name, IReadOnlyList<(long Step, double Value)> Points)> series, AxisScale scale)
    {
        if (scale != AxisScale.Auto) return scale == AxisScale.Log;
        var values = series.SelectMany(s => s.Points).Select(p => p.Value).Where(double.IsFinite).ToList();
        if (values.Count == 0 || values.Any(v => v <= 0)) return false;
        return values.Max() / values.Min() > 100;
    }

    private static (double Min, double Max) XExtent(IReadOnlyList<(string Name, IReadOnlyList<(long Step, double Value)> Points)> series)
    {
        var steps = series.SelectMany(s => s.Points).Select(p => (double)p.Step).ToList();
        if (steps.Count == 0) return (0, 1);
        double lo = steps.Min(), hi = steps.Max();
        return lo == hi ? (lo - 1, hi + 1) : (lo, hi);
    }

    private static (double Min, double Max, List<double> Ticks) LinearAxis(IReadOnlyList<(string Name, IReadOnlyList<(long Step, double Value)> Points)> series)
    {
        var values = series.SelectMany(s => s.Points).Select(p => p.Value).Where(double.IsFinite).ToList();
        double lo = values.Count == 0 ? 0 : values.Min(), hi = values.Count == 0 ? 1 : values.Max();
        if (lo == hi)
        {
            double pad = lo == 0 ? 1 : Math.Abs(lo) * 0.1;
            lo -= pad;
            hi += pad;
        }
        var ticks = NiceTicks(lo, hi, 6, out lo, out hi);
        return (lo, hi, ticks);
    }

    /// <summary>Log axis in decades: the extent is log10 of the values, ticks at whole powers of ten.</summary>
    private static (double Min, double Max, List<double> Ticks) LogAxis(IReadOnlyList<(string Name, IReadOnlyList<(long Step, double Value)> Points)> series)
    {
        var values = series.SelectMany(s => s.Points).Select(p => p.Value).Where(v => double.IsFinite(v) && v > 0).ToList();
        if (values.Count == 0) return (0, 1, [0, 1]);
        double lo = Math.Floor(Math.Log10(values.Min())), hi = Math.Ceiling(Math.Log10(values.Max()));
        if (hi == lo) hi = lo + 1;
        // At most about ten labelled decades.
        int stride = (int)Math.Max(1, Math.Ceiling((hi - lo) / 10));
        var ticks = new List<double>();
        for (double t = lo; t <= hi + 1e-9; t += stride) ticks.Add(t);
        return (lo, hi, ticks);
    }

    /// <summary>Round-number ticks covering [lo, hi] (Heckbert's "nice numbers"); the range grows to whole ticks.</summary>
    private static List<double> NiceTicks(double lo, double hi, int count, out double niceLo, out double niceHi)
    {
        double range = Nice(hi - lo, round: false);
        double step = Nice(range / (count - 1), round: true);
        niceLo = Math.Floor(lo / step) * step;
        niceHi = Math.Ceiling(hi / step) * step;
        var ticks = new List<double>();
        long n = (long)Math.Round((niceHi - niceLo) / step);
        for (long i = 0; i <= n; i++)
        {
            double t = niceLo + i * step;
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        }
        return ticks;
    }

    private static double Nice(double x, bool round)
    {
        double exp = Math.Floor(Math.Log10(x));
        double f = x / Math.Pow(10, exp);
        double nice = round
            ? (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10)
            : (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10);
        return nice * Math.Pow(10, exp);
    }

    // ---- data

    /// <summary>Runs of consecutive plottable points, sorted by step; a non-plottable value ends a run.</summary>
    private static IEnumerable<List<(long Step, double Value)>> Segments(IReadOnlyList<(long Step, double Value)> points, bool log)
    {
        var current = new List<(long Step, double Value)>();
        foreach (var p in points.OrderBy(p => p.Step))
        {
            if (double.IsFinite(p.Value) && (!log || p.Value > 0)) current.Add(p);
            else if (current.Count > 0)
            {
                yield return current;
                current = [];
            }
        }
        if (current.Count > 0) yield return current;
    }

    /// <summary>Keeps the first, lowest, highest and last point per horizontal pixel when there are many more points than pixels.</summary>
    private static List<(double X, double Y)> Thin(List<(double X, double Y)> pixels, double plotWidth)
    {
        if (pixels.Count <= 4 * plotWidth) return pixels;
        var kept = new List<(double X, double Y)>();
        int start = 0;
        while (start < pixels.Count)
        {
            int column = (int)Math.Floor(pixels[start].X), end = start;
            while (end + 1 < pixels.Count && (int)Math.Floor(pixels[end + 1].X) == column) end++;
            int lo = start, hi = start;
            for (int i = start; i <= end; i++)
            {
                if (pixels[i].Y < pixels[lo].Y) lo = i;
                if (pixels[i].Y > pixels[hi].Y) hi = i;
            }
            foreach (int i in new SortedSet<int> { start, lo, hi, end }) kept.Add(pixels[i]);
            start = end + 1;
        }
        return kept;
    }

    // ---- SVG helpers (numbers always in the invariant culture)

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    private static string FormatTick(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    private static string FormatPowerOfTen(double exponent)
    {
        int e = (int)Math.Round(exponent);
        return e is >= -3 and <= 4 ? Math.Pow(10, e).ToString("G6", CultureInfo.InvariantCulture) : F($"1e{e}");
    }

    private static void Attr(XmlWriter xw, string name, double value) =>
        xw.WriteAttributeString(name, value.ToString("0.##", CultureInfo.InvariantCulture));

    private static void Line(XmlWriter xw, double x1, double y1, double x2, double y2, string stroke, double width = 1)
    {
        xw.WriteStartElement("line", "http://www.w3.org/2000/svg");
        Attr(xw, "x1", x1); Attr(xw, "y1", y1); Attr(xw, "x2", x2); Attr(xw, "y2", y2);
        xw.WriteAttributeString("stroke", stroke);
        Attr(xw, "stroke-width", width);
        xw.WriteEndElement();
    }

    private static void Rect(XmlWriter xw, double x, double y, double w, double h, string? fill, string? stroke, double opacity = 1)
    {
        xw.WriteStartElement("rect", "http://www.w3.org/2000/svg");
        Attr(xw, "x", x); Attr(xw, "y", y); Attr(xw, "width", w); Attr(xw, "height", h);
        if (fill is not null) xw.WriteAttributeString("fill", fill);
        if (stroke is not null) xw.WriteAttributeString("stroke", stroke);
        if (opacity < 1) Attr(xw, "fill-opacity", opacity);
        xw.WriteEndElement();
    }

    private static void Text(XmlWriter xw, double x, double y, string text, string anchor, double size = 12, string? weight = null)
    {
        xw.WriteStartElement("text", "http://www.w3.org/2000/svg");
        Attr(xw, "x", x); Attr(xw, "y", y);
        xw.WriteAttributeString("text-anchor", anchor);
        if (size != 12) Attr(xw, "font-size", size);
        if (weight is not null) xw.WriteAttributeString("font-weight", weight);
        // XmlWriter escapes &, < and >; characters XML cannot hold at all are dropped.
        xw.WriteString(XmlSafe(text));
        xw.WriteEndElement();
    }

    private static string XmlSafe(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            if (i + 1 < s.Length && char.IsSurrogatePair(s[i], s[i + 1])) sb.Append(s, i++, 2);
            else if (XmlConvert.IsXmlChar(s[i])) sb.Append(s[i]);
        }
        return sb.ToString();
    }

    /// <summary>A StringWriter that reports UTF-8, so the XML declaration says utf-8.</summary>
    private sealed class StringWriterUtf8(StringBuilder sb) : StringWriter(sb, CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => new UTF8Encoding(false);
    }
}
