using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.ML.Vae.Cli.CommandLine;

namespace Microsoft.ML.Vae.Cli.Commands;

/// <summary>vae compare: side-by-side table of metrics JSON files written by 'vae evaluate --json'.</summary>
internal sealed class CompareCommand : ICommand
{
    public string Name => "compare";
    public string Summary => "print metrics of several 'vae evaluate --json' files side by side";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        new("json", false, "comma-separated metrics files", "a.json,b.json"),
        new("names", false, "comma-separated column names (default: file names)", "a,b"),
        new("keys", false, "comma-separated metrics to show, in this order (a group such as 'leakage' shows all its entries; default: all)", "k1,k2"),
        new("markdown", true, "print a Markdown table"),
    ];

    public int Run(ParsedArguments args, CancellationToken cancellationToken)
    {
        var files = args.Require("json").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var names = args.Get("names")?.Split(',', StringSplitOptions.TrimEntries) ?? files.Select(f => Path.GetFileNameWithoutExtension(f)).ToArray();
        if (names.Length != files.Length) throw new UsageException($"--names has {names.Length} entries for {files.Length} files.");
        var columns = new List<Dictionary<string, string>>();
        var keys = new List<string>();
        foreach (var f in files)
        {
            if (!File.Exists(f)) throw new FileNotFoundException($"Metrics file '{f}' does not exist.");
            JsonObject obj;
            try { obj = JsonNode.Parse(File.ReadAllText(f)) as JsonObject ?? throw new InvalidDataException($"'{f}' does not hold a JSON object."); }
            catch (JsonException e) { throw new InvalidDataException($"'{f}' is not valid JSON: {e.Message}"); }
            var col = new Dictionary<string, string>(StringComparer.Ordinal);
            Flatten(obj, "", col);
            foreach (var k in col.Keys) if (!keys.Contains(k)) keys.Add(k);
            columns.Add(col);
        }
        if (args.Get("keys") is string wanted)
        {
            var selected = new List<string>();
            foreach (var k in wanted.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var matches = keys.Where(key => key == k || key.StartsWith(k + "[", StringComparison.Ordinal)).ToList();
                if (matches.Count == 0) throw new UsageException($"--keys: no file has the metric '{k}'.");
                selected.AddRange(matches.Where(m => !selected.Contains(m)));
            }
            keys = selected;
        }
        var o = Console.Out;
        bool md = args.Has("markdown");
        if (keys.Count == 0) { o.WriteLine("(no metrics in the given files)"); return 0; }
        string Cell(Dictionary<string, string> column, string key) => column.GetValueOrDefault(key, Missing);
        if (md)
        {
            o.WriteLine("| metric | " + string.Join(" | ", names.Select(n => MarkdownCell(n))) + " |");
            o.WriteLine("|---|" + string.Concat(names.Select(_ => "---:|")));
            foreach (var k in keys) o.WriteLine($"| {MarkdownCell(k)} | " + string.Join(" | ", columns.Select(c => MarkdownCell(Cell(c, k)))) + " |");
        }
        else
        {
            // Widths from the content, so a long name or value shifts its column instead of breaking the table.
            int w = Math.Max(6, keys.Max(k => k.Length));
                var widths = names.Select((n, i) => Math.Max(Math.Max(8, n.Length), keys.Max(k => Cell(columns[i], k).Length))).ToArray();
            o.WriteLine("metric".PadRight(w) + string.Concat(names.Select((n, i) => "  " + SingleLine(n).PadLeft(widths[i]))));
            foreach (var k in keys) o.WriteLine(k.PadRight(w) + string.Concat(columns.Select((c, i) => "  " + Cell(c, k).PadLeft(widths[i]))));
        }
        return 0;
    }

    /// <summary>Shown where a file lacks a metric.</summary>
    private const string Missing = "–";

    /// <summary>Shown for values that are neither numbers nor short text (null, arrays, long or multi-line strings).</summary>
    internal const string NotAvailable = "n/a";

    private const int MaxTextLength = 40;

    private static void Flatten(JsonObject obj, string prefix, Dictionary<string, string> into)
    {
        foreach (var (k, v) in obj)
        {
            string key = prefix.Length == 0 ? SingleLine(k) : $"{prefix}[{SingleLine(k)}]";
            if (v is JsonObject child) Flatten(child, key, into);
            else into[key] = FormatValue(v);
        }
    }

    /// <summary>One table cell for a JSON value: numbers in 5 significant digits, NaN/±inf by name, booleans and short one-line text as they are, anything else n/a.</summary>
    internal static string FormatValue(JsonNode? v)
    {
        if (v is not JsonValue value) return NotAvailable; // null, arrays
        switch (value.GetValueKind())
        {
            case JsonValueKind.Number:
                return value.TryGetValue<double>(out var d) ? FormatNumber(d) : NotAvailable;
            case JsonValueKind.True: return "true";
            case JsonValueKind.False: return "false";
            case JsonValueKind.String:
                var text = value.GetValue<string>();
                // 'vae evaluate --json' writes non-finite metrics as "NaN", "Infinity", "-Infinity".
                if (text is "NaN" or "Infinity" or "-Infinity") return FormatNumber(double.Parse(text, CultureInfo.InvariantCulture));
                if (text.Length == 0 || text.Length > MaxTextLength || text.Any(char.IsControl)) return NotAvailable;
                return text;
            default: return NotAvailable;
        }
    }

    private static string FormatNumber(double d) =>
        double.IsNaN(d) ? "NaN" : double.IsPositiveInfinity(d) ? "inf" : double.IsNegativeInfinity(d) ? "-inf" : d.ToString("G5", CultureInfo.InvariantCulture);

    private static string SingleLine(string s) => new(s.Select(c => char.IsControl(c) ? ' ' : c).ToArray());

    private static string MarkdownCell(string s) => SingleLine(s).Replace("|", "\\|", StringComparison.Ordinal);
}
