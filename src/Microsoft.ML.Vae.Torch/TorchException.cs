using Microsoft.ML.Vae.Torch.Native;

namespace Microsoft.ML.Vae.Torch;

/// <summary>An error reported by libtorch that is neither an argument nor an index error.</summary>
public class TorchException : Exception
{
    /// <summary>Creates the exception with libtorch's message.</summary>
    public TorchException(string message) : base(message) { }

    /// <summary>Creates the exception with an inner cause.</summary>
    public TorchException(string message, Exception inner) : base(message, inner) { }

    // Shape and size complaints arrive from libtorch as generic errors; these phrases mark them.
    private static readonly string[] ArgumentPhrases =
    {
        "shape", "size", "dimension", "cannot be multiplied", "must match", "expected", "Expected",
        "channels", "dtype", "scalar type", "invalid", "Invalid", "negative", "mismatch", "must be", "argument",
    };

    // Some index checks of libtorch raise generic errors ("INDICES element is out of DATA bounds").
    private static readonly System.Text.RegularExpressions.Regex IndexPhrase =
        new(@"out of (\w+ )?(range|bounds)", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>Reads the thread's last native error and builds the matching .NET exception.</summary>
    internal static Exception FromLastError() =>
        Create(NativeMethods.LastError(), NativeMethods.vt_last_error_kind());

    /// <summary>Builds the .NET exception for a native error message and its VT_ERR_* kind.</summary>
    internal static Exception Create(string message, int kind, Exception? inner = null)
    {
        if (string.IsNullOrEmpty(message)) message = "libtorch reported an error without a message";
        return kind switch
        {
            2 => new IndexOutOfRangeException(message, inner),
            3 or 4 => new ArgumentException(message, inner),
            5 => new NotSupportedException(message, inner),
            6 => new OutOfMemoryException(message, inner),
            _ when IndexPhrase.IsMatch(message) => new IndexOutOfRangeException(message, inner),
            _ when ArgumentPhrases.Any(p => message.Contains(p, StringComparison.Ordinal)) => new ArgumentException(message, inner),
            _ => inner is null ? new TorchException(message) : new TorchException(message, inner),
        };
    }
}
