using System.Globalization;
using System.Text;

namespace Microsoft.ML.Vae.Core.Training;

/// <summary>
/// Logged values of a run: one row per logged step, each a map from term (or metric) name to value.
/// Saved as CSV with a "step" column and one column per name (in order of first appearance),
/// invariant culture, empty cells for values a row lacks.
/// </summary>
public sealed class TrainingHistory
{
    private readonly List<HistoryRow> _rows = new();
    private readonly List<string> _columns = new();
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    /// <summary>The rows, by increasing step.</summary>
    public IReadOnlyList<HistoryRow> Rows => _rows;

    /// <summary>Every name seen, in order of first appearance.</summary>
    public IReadOnlyList<string> Columns => _columns;

    /// <summary>Number of rows.</summary>
    public int Count => _rows.Count;

    /// <summary>
    /// Records <paramref name="values"/> at <paramref name="step"/>. Values for the step of the last
    /// row are merged into it (a log and an evaluation at the same step share one row).
    /// </summary>
    public void Add(long step, IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), "Steps are 0 or more.");
        if (_rows.Count > 0 && step < _rows[^1].Step)
            throw new ArgumentException($"Step {step} comes before the last recorded step {_rows[^1].Step}.", nameof(step));
        foreach (var name in values.Keys)
        {
            if (string.IsNullOrEmpty(name) || name.IndexOfAny(['\n', '\r']) >= 0)
                throw new ArgumentException($"Invalid value name '{name}': names are non-empty single-line text.", nameof(values));
            if (name.Equals("step", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException("'step' is reserved for the step column.", nameof(values));
            if (_known.Add(name)) _columns.Add(name);
        }
        if (_rows.Count > 0 && _rows[^1].Step == step)
        {
            var merged = new Dictionary<string, double>(_rows[^1].Values, StringComparer.Ordinal);
            foreach (var (k, v) in values) merged[k] = v;
            _rows[^1] = new HistoryRow(step, merged);
        }
        else _rows.Add(new HistoryRow(step, new Dictionary<string, double>(values, StringComparer.Ordinal)));
    }

    /// <summary>The (step, value) pairs of one column, skipping rows without it.</summary>
    public IReadOnlyList<(long Step, double Value)> Series(string name) =>
        _rows.Where(r => r.Values.ContainsKey(name)).Select(r => (r.Step, r.Values[name])).ToList();

    /// <summary>Drops every row after <paramref name="step"/> (used when training rolls back).</summary>
    internal void TruncateAfter(long step) => _rows.RemoveAll(r => r.Step > step);

    /// <summary>A deep copy.</summary>
    public TrainingHistory Clone()
    {
        var h = new TrainingHistory();
        foreach (var r in _rows) h.Add(r.Step, r.Values);
        // Keep columns that no row holds any more, so a copy writes the same header.
        foreach (var c in _columns) if (h._known.Add(c)) h._columns.Add(c);
        return h;
    }

    /// <summary>Writes the history as UTF-8 CSV (the stream is left open).</summary>
    public void WriteCsv(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        w.Write("step");
        foreach (var c in _columns) { w.Write(','); w.Write(Quote(c)); }
        w.WriteLine();
        foreach (var r in _rows)
        {
            w.Write(r.Step.ToString(CultureInfo.InvariantCulture));
            foreach (var c in _columns)
            {
                w.Write(',');
                if (r.Values.TryGetValue(c, out var v)) w.Write(v.ToString("R", CultureInfo.InvariantCulture));
            }
            w.WriteLine();
        }
    }

    /// <summary>The CSV text.</summary>
    public string ToCsv()
    {
        using var ms = new MemoryStream();
        WriteCsv(ms);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Writes the CSV to a file (atomically: a temporary file is renamed over the target).</summary>
    public void SaveCsv(string path) => Persistence.AtomicFile.Write(path, WriteCsv);

    /// <summary>Reads CSV written by <see cref="WriteCsv"/>; malformed text raises <see cref="InvalidDataException"/> naming the line.</summary>
    public static TrainingHistory ReadCsv(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var r = new StreamReader(stream, Encoding.UTF8, true, 1 << 16, leaveOpen: true);
        var header = r.ReadLine() ?? throw new InvalidDataException("The history CSV is empty: it needs a header line starting with 'step'.");
        var names = SplitLine(header, 1);
        if (names.Count == 0 || names[0] != "step")
            throw new InvalidDataException("The history CSV header must start with a 'step' column.");
        var columns = names.Skip(1).ToList();
        if (columns.Distinct(StringComparer.Ordinal).Count() != columns.Count)
            throw new InvalidDataException("The history CSV header repeats a column name.");
        var h = new TrainingHistory();
        foreach (var c in columns)
        {
            if (c.Length == 0 || c.Equals("step", StringComparison.OrdinalIgnoreCase))
                throw new InvalidDataException($"The history CSV header has an invalid column name '{c}'.");
            h._known.Add(c);
            h._columns.Add(c);
        }
        int lineNo = 1;
        string? line;
        while ((line = r.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Length == 0) continue;
            var cells = SplitLine(line, lineNo);
            if (cells.Count != names.Count)
                throw new InvalidDataException($"Line {lineNo} of the history CSV has {cells.Count} cells; the header has {names.Count}.");
            if (!long.TryParse(cells[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var step) || step < 0)
                throw new InvalidDataException($"Line {lineNo} of the history CSV has an invalid step '{cells[0]}'.");
            if (h._rows.Count > 0 && step <= h._rows[^1].Step)
                throw new InvalidDataException($"Line {lineNo} of the history CSV has step {step}, not after the previous step {h._rows[^1].Step}.");
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            for (int i = 1; i < cells.Count; i++)
            {
                if (cells[i].Length == 0) continue;
                if (!double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                    throw new InvalidDataException($"Line {lineNo} of the history CSV has a non-numeric value '{cells[i]}' for '{names[i]}'.");
                values[names[i]] = v;
            }
            h._rows.Add(new HistoryRow(step, values));
        }
        return h;
    }

    /// <summary>Reads the CSV text of <see cref="ToCsv"/>.</summary>
    public static TrainingHistory FromCsv(string csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        using var ms = new MemoryStream(Encoding.UTF8.GetBytes(csv));
        return ReadCsv(ms);
    }

    private static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";

    private static List<string> SplitLine(string line, int lineNo)
    {
        var cells = new List<string>();
        var sb = new StringBuilder();
        int i = 0;
        while (true)
        {
            sb.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length) throw new InvalidDataException($"Line {lineNo} of the history CSV has an unterminated quoted cell.");
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(line[i++]);
                }
                if (i < line.Length && line[i] != ',')
                    throw new InvalidDataException($"Line {lineNo} of the history CSV has text after a closing quote.");
            }
            else
            {
                while (i < line.Length && line[i] != ',') sb.Append(line[i++]);
            }
            cells.Add(sb.ToString());
            if (i >= line.Length) break;
            i++; // the comma
        }
        return cells;
    }
}

/// <summary>One row of a <see cref="TrainingHistory"/>.</summary>
/// <param name="Step">The step the values belong to.</param>
/// <param name="Values">Values by name.</param>
public sealed record HistoryRow(long Step, IReadOnlyDictionary<string, double> Values);
