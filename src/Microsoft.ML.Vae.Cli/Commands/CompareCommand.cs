using System.Globalization;
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
        var names = args.Get("names")?.Split(',', StringSplitOptions.TrimEntries) ?? files.Select(Path.GetFileNameWithoutExtension).ToArray()!;
        if (names.Length != files.Length) throw new UsageException($"--names has {names.Length} entries for {files.Length} files.");
        var columns = new List<Dictionary<string, string>>();
        var keys = new List<string>();
        foreach (var f in files)
        {
            if (!File.Exists(f)) throw new FileNotFoundException($"Metrics file '{f}' does not exist.");
            JsonObject obj;
            try { obj = JsonNode.Parse(File.ReadAllText(f)) as JsonObject ?? throw new InvalidDataException($"'{f}' does not hold a JSON object."); }
            catch (System.Text.Json.JsonException e) { throw new InvalidDataException($"'{f}' is not valid JSON: {e.Message}"); }
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
        int w = Math.Max(6, keys.Max(k => k.Length));
        if (md)
        {
            o.WriteLine("| metric | " + string.Join(" | ", names) + " |");
            o.WriteLine("|---|" + string.Concat(names.Select(_ => "---:|")));
            foreach (var k in keys) o.WriteLine($"| {k} | " + string.Join(" | ", columns.Select(c => c.GetValueOrDefault(k, "–"))) + " |");
        }
        else
        {
            o.WriteLine("metric".PadRight(w) + string.Concat(names.Select(n => "  " + n.PadLeft(14))));
            foreach (var k in keys) o.WriteLine(k.PadRight(w) + string.Concat(columns.Select(c => "  " + c.GetValueOrDefault(k, "–").PadLeft(Math.Max(14, 0)))));
        }
        return 0;
    }

    private static void Flatten(JsonObject obj, string prefix, Dictionary<string, string> into)
    {
        foreach (var (k, v) in obj)
        {
            string key = prefix.Length == 0 ? k : $"{prefix}[{k}]";
            switch (v)
            {
                case JsonObject child: Flatten(child, key, into); break;
                case JsonValue val when val.TryGetValue<double>(out var d): into[key] = d.ToString("G5", CultureInfo.InvariantCulture); break;
                case null: into[key] = "null"; break;
                default: into[key] = v.ToString(); break;
            }
        }
    }
}
