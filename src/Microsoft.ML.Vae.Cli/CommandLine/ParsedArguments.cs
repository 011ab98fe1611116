using System.Globalization;

namespace Microsoft.ML.Vae.Cli.CommandLine;

/// <summary>Raised for bad command-line input; the tool prints its message as one line and exits with code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>Describes one option a command accepts.</summary>
public sealed record OptionSpec(string Name, bool IsFlag, string Help, string? ValueName = null);

/// <summary>
/// The options given to one command, validated against the command's specs: unknown options,
/// missing values and malformed numbers are usage errors with a message naming the option.
/// </summary>
public sealed class ParsedArguments
{
    private readonly Dictionary<string, string?> _values;
    private readonly string _command;

    private ParsedArguments(string command, Dictionary<string, string?> values)
    {
        _command = command;
        _values = values;
    }

    /// <summary>Parses <paramref name="args"/> (everything after the command name).</summary>
    public static ParsedArguments Parse(string command, IReadOnlyList<string> args, IReadOnlyList<OptionSpec> specs)
    {
        var byName = specs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (!a.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"Unexpected argument '{a}' for 'vae {command}'. Options start with --; see 'vae {command} --help'.");
            string name = a[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
            if (!byName.TryGetValue(name, out var spec))
                throw new UsageException($"Unknown option '--{name}' for 'vae {command}'. Valid options: {string.Join(", ", specs.Select(s => "--" + s.Name))}.");
            if (values.ContainsKey(name))
                throw new UsageException($"Option '--{name}' was given more than once.");
            if (spec.IsFlag)
            {
                if (inline is not null) throw new UsageException($"Option '--{name}' is a switch and takes no value.");
                values[name] = null;
            }
            else
            {
                string? v = inline;
                if (v is null)
                {
                    if (i + 1 >= args.Count || (args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2))
                        throw new UsageException($"Option '--{name}' needs a value ({spec.ValueName ?? "value"}).");
                    v = args[++i];
                }
                values[name] = v;
            }
        }
        return new ParsedArguments(command, values);
    }

    /// <summary>The options given, by name (null for switches), in no particular order.</summary>
    public IReadOnlyDictionary<string, string?> Given => _values;

    /// <summary>Arguments of <paramref name="command"/> made from option values (null for switches), e.g. a recorded run's.</summary>
    public static ParsedArguments FromValues(string command, IReadOnlyDictionary<string, string?> values) =>
        new(command, new Dictionary<string, string?>(values, StringComparer.Ordinal));

    /// <summary>True when the option was given.</summary>
    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>The option's text, or null.</summary>
    public string? Get(string name) => _values.TryGetValue(name, out var v) ? v : null;

    /// <summary>The option's text; a usage error when absent.</summary>
    public string Require(string name) =>
        Get(name) ?? throw new UsageException($"'vae {_command}' needs --{name}.");

    /// <summary>An integer option within [min, max].</summary>
    public long? GetLong(string name, long min = long.MinValue, long max = long.MaxValue)
    {
        var s = Get(name);
        if (s is null) return null;
        if (!long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            throw new UsageException($"Option '--{name}' expects an integer, got '{s}'.");
        if (v < min || v > max)
            throw new UsageException($"Option '--{name}' must be between {min} and {max}, got {v}.");
        return v;
    }

    /// <summary>A finite floating-point option within [min, max].</summary>
    public double? GetDouble(string name, double min = double.MinValue, double max = double.MaxValue)
    {
        var s = Get(name);
        if (s is null) return null;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
            throw new UsageException($"Option '--{name}' expects a number, got '{s}'.");
        if (v < min || v > max)
            throw new UsageException($"Option '--{name}' must be between {min} and {max}, got {v}.");
        return v;
    }

    /// <summary>An option restricted to a set of words.</summary>
    public string? GetChoice(string name, params string[] choices)
    {
        var s = Get(name);
        if (s is null) return null;
        if (!choices.Contains(s, StringComparer.Ordinal))
            throw new UsageException($"Option '--{name}' must be one of {string.Join(", ", choices)}; got '{s}'.");
        return s;
    }
}
